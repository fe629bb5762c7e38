// A slow regular route, used to watch the deadline countdown: the platform stops a regular
// route after 10 s, so the default of 15 s is cut off there (?seconds=N to change it).
import { numberParam, sleep } from '../../lib/sleep'

export default async function handler(req, res) {
  const seconds = numberParam(req.query.seconds, 15)
  console.log(`slow: start seconds=${seconds}`)
  for (let i = 1; i <= seconds; i++) {
    await sleep(1000)
    console.log(`slow: ${i}/${seconds} s`)
  }
  res.status(200).json({ slept: seconds })
  console.log('slow: done')
}
