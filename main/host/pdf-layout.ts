// The PDF page furniture shared by both printers (Electron printToPDF, Chromium page.pdf): margins and
// the footer with the report's title and page numbers. No imports, so the Electron bundle can use it.

/** Page margins in mm. */
export const PDF_MARGINS_MM = { top: 14, bottom: 16, left: 12, right: 12 }
export function footerTemplate(title: string): string {
  const esc = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<div style="font-size:7px;width:100%;padding:0 12mm;color:#57606a;display:flex;justify-content:space-between;font-family:sans-serif"><span>kvmbench report — ${esc}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
}

