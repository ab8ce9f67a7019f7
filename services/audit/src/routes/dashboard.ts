import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'

/**
 * The auditors' dashboard: a static page and its assets, read once at start and answered from
 * memory. The page itself needs no token; its calls to the report API carry one.
 */
const ASSETS = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/dashboard/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/dashboard/format.js', file: 'format.js', type: 'text/javascript; charset=utf-8' },
  { path: '/dashboard/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
  { path: '/dashboard/icon.svg', file: 'icon.svg', type: 'image/svg+xml' }
] as const

// Only the service's own scripts, styles and API: no inline code, so an injected string cannot
// run, and the token the page holds can be sent nowhere else.
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

const dashboardDir = new URL('../dashboard/', import.meta.url)

export async function dashboardRoutes (app: FastifyInstance): Promise<void> {
  const loaded = await Promise.all(ASSETS.map(async (asset) => ({ ...asset, body: await readFile(new URL(asset.file, dashboardDir)) })))
  for (const asset of loaded) {
    app.get(asset.path, { schema: { hide: true } }, async (_request, reply) => {
      return reply
        .header('content-type', asset.type)
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        // Revalidated each time, so a new version of the page is seen at once after a deploy.
        .header('cache-control', 'no-cache')
        .send(asset.body)
    })
  }
}
