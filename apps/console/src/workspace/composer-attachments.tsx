import { AttachButton, UploadChips, type useAttachments } from '@parley/web';

/**
 * The composer's files: the paperclip and the chosen files with their upload state. Replies carry
 * them; private notes do not, so the paperclip is off while writing one.
 */
export function ComposerAttachments({
  files,
  disabled,
}: {
  files: ReturnType<typeof useAttachments>;
  disabled: boolean;
}) {
  return (
    <div className="composer-attachments">
      <AttachButton onFiles={files.add} disabled={disabled || files.full} />
      <UploadChips uploads={disabled ? [] : files.uploads} onRemove={files.remove} />
    </div>
  );
}
