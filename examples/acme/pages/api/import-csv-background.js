// Background route that fails now and then (always with ?fail=1, never with ?fail=0, else
// about 30% of runs): on Netlify a failed background run is retried after 1 min, then 2 min.
import { sleep } from '../../lib/sleep'

export const config = { type: 'experimental-background' }

export default async function handler(req, res) {
  const fail = req.query.fail === '1' || (req.query.fail !== '0' && Math.random() < 0.3)
  console.log('import-csv-background: start')
  await sleep(200)
  console.log('import-csv-background: read 120 rows')
  if (fail) {
    console.log('import-csv-background: row 57 has 4 columns, expected 5')
    throw new Error('import-csv-background: malformed CSV at row 57')
  }
  await sleep(200)
  res.status(200).json({ imported: 120 })
  console.log('import-csv-background: done imported=120')
}
