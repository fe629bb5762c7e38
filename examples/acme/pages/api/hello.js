// A plain API route: answers at once. The platform gives it the regular (10 s) limit.
export default function handler(req, res) {
  console.log(`hello: start method=${req.method}`)
  res.status(200).json({ message: 'Hello from Acme', method: req.method })
  console.log('hello: done')
}
