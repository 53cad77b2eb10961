/** The chat cannot open: what went wrong and what to do, instead of an empty frame. */
export function Unavailable({ title, detail }: { title: string; detail: string }) {
  return (
    <main className="widget unavailable" aria-labelledby="unavailable-title">
      <div className="unavailable-card" role="alert">
        <span className="unavailable-icon" aria-hidden="true">
          !
        </span>
        <h1 id="unavailable-title">{title}</h1>
        <p>{detail}</p>
      </div>
    </main>
  );
}
