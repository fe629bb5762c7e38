export const config = {
  type: 'experimental-scheduled',
  schedule: '61 25 * * 8',
}
export default function handler(req, res) { res.end() }
