import type { Presence } from './types';

const CHOICES: Array<{ value: Presence; label: string }> = [
  { value: 'online', label: 'Online' },
  { value: 'away', label: 'Away' },
  { value: 'offline', label: 'Offline' },
];

/**
 * Online agents get new conversations assigned automatically; away and offline agents keep
 * theirs but get no new ones. Radio buttons: arrow keys move between them, as users expect.
 */
export function PresenceSwitch({
  presence,
  onChange,
  disabled,
}: {
  presence: Presence | undefined;
  onChange: (presence: Presence) => void;
  disabled: boolean;
}) {
  return (
    <fieldset className="presence" disabled={disabled}>
      <legend className="visually-hidden">Presence</legend>
      {CHOICES.map((choice) => (
        <label key={choice.value} className={`presence-${choice.value}`}>
          <input
            type="radio"
            name="presence"
            value={choice.value}
            checked={presence === choice.value}
            onChange={() => onChange(choice.value)}
          />
          <span>{choice.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
