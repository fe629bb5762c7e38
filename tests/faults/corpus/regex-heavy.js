const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/i
const TEMPLATE = `config = { type: '${'experimental-background'}' }` // not a config: a string
/* export const config = { type: 'experimental-scheduled', schedule: '@daily' } */
export const config = { type: 'experimental-scheduled', schedule: "*/15 * * * *" /* every 15 min */ }
export default (req, res) => res.status(SLUG.test(req.query.slug) ? 200 : 400).send(TEMPLATE)
