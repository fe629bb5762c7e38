// Netlify scheduled function whose schedule lives in netlify.toml ([functions."purge-sessions"]),
// not in this file.
export default async (req) => {
  const { next_run: nextRun } = await req.json().catch(() => ({}))
  console.log(`purge-sessions: method=${req.method} next_run=${nextRun ?? '-'}`)
  console.log('purge-sessions: done')
}
