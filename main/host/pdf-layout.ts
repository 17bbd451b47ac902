// The PDF page furniture shared by both printers (Electron printToPDF, Chromium page.pdf): margins, the
// header (title, date, profile, run id) and the footer with page numbers, and the report page's query.
// No imports, so the Electron bundle can use it.

/** Page margins in mm. */
export const PDF_MARGINS_MM = { top: 14, bottom: 16, left: 12, right: 12 }
export function footerTemplate(title: string): string {
  const esc = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<div style="font-size:7px;width:100%;padding:0 12mm;color:#57606a;display:flex;justify-content:space-between;font-family:sans-serif"><span>kvmbench report — ${esc}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
}


const escHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** What the page header names: the report's title (the profile's name), date and run id. */
export interface ReportHeading { title: string; generatedAt?: string; run?: { runId?: string; startedAt?: string } }

/** Every page's header: "kvmbench report · PROFILE · run RUN-ID · DATE". */
export function headerTemplate(s: ReportHeading): string {
  const date = (s.run?.startedAt ?? s.generatedAt ?? '').slice(0, 16).replace('T', ' ')
  const run = s.run?.runId ? ` · run ${escHtml(s.run.runId)}` : ''
  return `<div style="font-size:7px;width:100%;padding:0 12mm;color:#57606a;display:flex;justify-content:space-between;font-family:sans-serif"><span>kvmbench report · profile ${escHtml(s.title)}${run}</span><span>${date ? `${escHtml(date)} UTC` : ''}</span></div>`
}

/** The report page's URL query for a print job: the run, the page size and the chosen baseline. */
export function reportQuery(job: { runId: string; pageSize: string; baseline?: string }): string {
  return `run=${encodeURIComponent(job.runId)}&pageSize=${job.pageSize}${job.baseline !== undefined ? `&baseline=${encodeURIComponent(job.baseline)}` : ''}`
}
