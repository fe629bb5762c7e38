// Netlify function (v2 syntax) that logs a line, then throws: the functions server prints the
// error with its stack and answers 500.
export default async () => {
  console.log('explode: about to throw')
  throw new Error('explode: this function always fails')
}
