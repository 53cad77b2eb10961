import { useReportsPage } from '../route';
import type { Session } from '../session';

/** The way to the reports, for admins: the only ones the API shows them to. */
export function ReportsLink({ role }: { role: Session['role'] }) {
  const reports = useReportsPage();
  if (role !== 'admin') return null;
  return (
    <a
      href="/console/reports"
      className="reports-link"
      onClick={(event) => {
        event.preventDefault();
        reports.show();
      }}
    >
      Reports
    </a>
  );
}
