// A scheduled route that imports a helper from its own folder: the import must follow the move.
import { formatCount } from './_format'

export const config = {
  type: 'experimental-scheduled',
  schedule: '0 2 * * *',
}

export default function handler(req, res) {
  console.log(`nightly: archived ${formatCount(3)}`)
  res.status(200).send('ok')
}
