/** Whether an SDP offer would send media (any m-line sendrecv/sendonly with a port). */
export function offersToSend(sdp: string): boolean {
  return sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .some((section) => {
      if (section.split(' ')[1] === '0') return false;
      const dir = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(section)?.[1] ?? 'sendrecv';
      return dir === 'sendrecv' || dir === 'sendonly';
    });
}
