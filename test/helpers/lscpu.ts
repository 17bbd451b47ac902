// `lscpu -p` text of a regular host (Intel numbering: first threads of all cores, then the siblings).

export function lscpuText(sockets: number, coresPerSocket: number, threadsPerCore: number): string {
  const lines = ['# The following is the parsable format, which can be fed to other', '# CPU,Core,Socket,Node,,L1d,L1i,L2,L3']
  const cores = sockets * coresPerSocket
  for (let cpu = 0; cpu < cores * threadsPerCore; cpu++) {
    const core = cpu % cores
    const socket = Math.floor(core / coresPerSocket)
    lines.push(`${cpu},${core},${socket},${socket},,${core},${core},${core},${socket}`)
  }
  return `${lines.join('\n')}\n`
}
