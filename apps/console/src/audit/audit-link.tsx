import { useAuditPage } from '../route';
import type { Session } from '../session';

/** The way to the audit trail, for admins: the only ones the API shows it to. */
export function AuditLink({ role }: { role: Session['role'] }) {
  const audit = useAuditPage();
  if (role !== 'admin') return null;
  return (
    <a
      href="/console/audit"
      className="audit-link"
      onClick={(event) => {
        event.preventDefault();
        audit.show();
      }}
    >
      Audit trail
    </a>
  );
}
