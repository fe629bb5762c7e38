module.exports = async function handler(req, res) {
  res.statusCode = 200
  res.setHeader('content-type', 'text/plain')
  res.end('ok')
}
module.exports.config = { type: 'experimental-background' }
