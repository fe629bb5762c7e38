// Prints what the Netlify Next runtime v4 itself makes of this site's API routes, by calling the
// installed @netlify/plugin-nextjs (the same functions its build runs): for each route, the source
// file, the `config` it could read and, for background and scheduled routes, the Netlify function
// it generates. A config the runtime cannot read shows as {} after its "Unsupported config value"
// warning (on stderr). This is the ground truth for the console's own parser.
// Needs a build first: `npm run build && npm run platform-view`.
const { existsSync } = require('fs')
const path = require('path')
const { getApiRouteConfigs } = require('@netlify/plugin-nextjs/lib/helpers/functions')

// next.config.js sets no pageExtensions, so Next's default applies.
const PAGE_EXTENSIONS = ['js', 'jsx', 'ts', 'tsx']

async function main() {
  const root = path.resolve(__dirname, '..')
  process.chdir(root)
  const publish = path.join(root, '.next')
  if (!existsSync(path.join(publish, 'server', 'pages-manifest.json'))) {
    throw new Error('No .next/server/pages-manifest.json: run `npm run build` first.')
  }
  const routes = await getApiRouteConfigs(publish, root, PAGE_EXTENSIONS)
  const view = routes
    .map(({ route, config, functionName }) => ({
      route,
      config,
      // Plain API routes are bundled into shared handlers; only advanced routes get their own.
      function: config.type === undefined ? null : functionName,
    }))
    .sort((a, b) => a.route.localeCompare(b.route))
  console.log(JSON.stringify(view, null, 2))
}

main().catch((error) => {
  console.error(error.message)
  process.exit(1)
})
