/** Shown when the web ui has no valid access token. */
export function AuthScreen() {
  return (
    <main className="auth" id="main">
      <div className="card">
        <h1>Universal Agent</h1>
        <p className="lead" role="alert" data-testid="auth-needed">
          Open the address <code>uas serve</code> printed (it carries the access token).
        </p>
        <p className="muted">
          It looks like <code>http://127.0.0.1:7878/#token=…</code>. The token stays in this tab only; a new tab or a restarted <code>uas serve</code>
          needs the printed address again.
        </p>
      </div>
    </main>
  );
}
