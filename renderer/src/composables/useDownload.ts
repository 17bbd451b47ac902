// Saving generated files (CSV, SVG) through a Blob URL and a temporary <a download>.
export function downloadBlob(content: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function useDownload(): { csv(text: string, fileName: string): void; svg(text: string, fileName: string): void } {
  return {
    csv: (text, fileName) => downloadBlob(text, fileName.endsWith('.csv') ? fileName : `${fileName}.csv`, 'text/csv;charset=utf-8'),
    svg: (text, fileName) => downloadBlob(text, fileName.endsWith('.svg') ? fileName : `${fileName}.svg`, 'image/svg+xml'),
  }
}
