// A catch-all route: /api/files/a/b/c.txt -> { path: ["a", "b", "c.txt"] }.
export default function handler(req, res) {
  const path = req.query.path ?? []
  console.log(`files/[...path]: start path=${path.join('/')}`)
  res.status(200).json({ path, file: path.join('/') })
  console.log('files/[...path]: done')
}
