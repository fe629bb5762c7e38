export { default } from '../../lib/handlers/health'
export { config } from '../../lib/handlers/health'
