// A route that always fails, so the dev server prints a stack trace and answers 500.
export default function handler(req, res) {
  console.log('explode: start')
  throw new Error('explode: the database is on fire')
}
