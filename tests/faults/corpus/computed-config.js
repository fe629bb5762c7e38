// A config the platform cannot read statically: computed, spread, imported.
import { baseConfig } from '../../lib/config'

const schedule = process.env.NODE_ENV === 'production' ? '@daily' : '@hourly'

export const config = {
  ...baseConfig,
  type: 'experimental-scheduled',
  schedule,
}

export default function handler(req, res) {
  res.status(200).json({ schedule })
}
