// Netlify scheduled function (v2 syntax): the schedule is in the exported config.
export default async (req) => {
  const { next_run: nextRun } = await req.json().catch(() => ({}))
  console.log(`nightly-digest: method=${req.method} next_run=${nextRun ?? '-'}`)
  console.log('nightly-digest: done')
}

export const config = {
  schedule: '@daily',
}
