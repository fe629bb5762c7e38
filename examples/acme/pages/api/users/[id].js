// A dynamic route: /api/users/42 -> { id: "42" }. Netlify names its function _api_users_id-PARAM.
export default function handler(req, res) {
  const { id } = req.query
  console.log(`users/[id]: start id=${id}`)
  res.status(200).json({ id, name: `User ${id}` })
  console.log(`users/[id]: done id=${id}`)
}
