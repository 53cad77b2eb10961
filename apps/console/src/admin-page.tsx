/** The bar above a page opened from the workspace (reports, audit trail), with the way back to it. */
export function AdminPageTopbar({ onLeave }: { onLeave: () => void }) {
  return (
    <header className="topbar">
      <span className="brand">Parley</span>
      <a
        href="/console/"
        onClick={(event) => {
          event.preventDefault();
          onLeave();
        }}
      >
        Conversations
      </a>
    </header>
  );
}

/**
 * Fetches a file the API makes for the signed-in user and hands it to the browser's download, named
 * as its Content-Disposition says, else `fallbackName`. Answers `unauthorized` on a 401 and throws,
 * naming `what`, on any other failure.
 */
export async function downloadFile(
  url: string,
  token: string,
  fallbackName: string,
  what: string,
): Promise<'saved' | 'unauthorized'> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) return 'unauthorized';
  if (!res.ok) throw new Error(`${what} could not be made (${res.status}).`);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = name ?? fallbackName;
  link.click();
  // Once the click has handed the file to the browser's download.
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
  return 'saved';
}
