// The home page: lists what this example site exposes, so it is a real site and not only an API.
const ROUTES = [
  ['/api/hello', 'api', 'answers at once'],
  ['/api/users/42', 'api', 'dynamic route [id]'],
  ['/api/files/docs/readme.txt', 'api', 'catch-all route [...path]'],
  ['/api/slow?seconds=15', 'api', 'sleeps, logging each second (passes the 10 s limit)'],
  ['/api/explode', 'api', 'throws an error'],
  ['/api/send-emails-background', 'background', 'three short steps'],
  ['/api/resize-images-background?seconds=20', 'background', 'long work with progress'],
  ['/api/import-csv-background?fail=1', 'background', 'fails (about 30% of runs without ?fail)'],
  ['/api/sync-background', 'api (by mistake)', '`as const` hides its config from the platform'],
  ['/api/cleanup', 'scheduled @hourly', 'logs the next_run it was given'],
  ['/api/daily-report', 'scheduled 0 9 * * 1-5', 'weekday report'],
  ['/api/refresh-cache', 'scheduled */5 * * * *', 'warms the cache'],
  ['/api/heartbeat', 'scheduled * * * * *', 'every minute'],
]

export default function Home() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 760, margin: '2rem auto' }}>
      <h1>Acme</h1>
      <p>
        An example Next.js site with background and scheduled API routes on Netlify. Open it with{' '}
        <code>console open examples/acme</code>.
      </p>
      <table>
        <thead>
          <tr>
            <th align="left">Route</th>
            <th align="left">Kind</th>
            <th align="left">What it does</th>
          </tr>
        </thead>
        <tbody>
          {ROUTES.map(([href, kind, what]) => (
            <tr key={href}>
              <td>
                <a href={href}>
                  <code>{href}</code>
                </a>
              </td>
              <td>{kind}</td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Scheduled routes answer 404 to ordinary requests once deployed; locally they are plain routes.
        Netlify functions live in <code>netlify/functions/</code> and run under{' '}
        <code>netlify dev</code>, not <code>next dev</code>.
      </p>
    </main>
  )
}
