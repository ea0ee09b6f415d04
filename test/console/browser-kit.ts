import {mkdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'

/** Debian's Chromium, driven by playwright-core: never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium'

export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // No clock on the launch: Playwright watches the process and fails when it exits. On a busy
    // machine Chromium has taken more than 30 s to start. Page waits keep a generous backstop.
    timeout: 0,
  })
  context.setDefaultTimeout(120_000)
  return context
}

/** Screenshots are artifacts for people to look at: under a temp dir, never committed. */
export const SHOTS_DIR = process.env.CLAWD_SCREENSHOTS_DIR ?? join(tmpdir(), `clawd-console-screenshots-${process.pid}`)

const VIEWPORTS = {laptop: {width: 1366, height: 860}, phone: {width: 390, height: 844}} as const

/** Full-page screenshots of the current page at a laptop and a phone size. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, {recursive: true})
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport)
    await page.screenshot({path: join(SHOTS_DIR, `${name}-${size}.png`), fullPage: true})
  }
  await page.setViewportSize(VIEWPORTS.laptop)
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{target: string[]; failureSummary?: string}>
}

/**
 * axe-core on the page as it is, WCAG 2.x A and AA rules and best practices. It is evaluated over
 * the DevTools protocol, which the page's CSP does not govern; the page itself still runs no
 * inline script. Returns the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as {axe: {run: (ctx: unknown, opts: unknown) => Promise<{violations: AxeViolation[]}>}}).axe
    return axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({target: n.target, failureSummary: n.failureSummary}))}))
}
