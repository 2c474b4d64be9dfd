/** One colour per seat, readable on light and dark backgrounds. */
export const SEAT_COLORS = [0x6a4cff, 0xff7a1a, 0x12a4b5, 0xe0407b, 0x58b32d, 0xc49a00, 0x3b7dd8, 0x9c4dcc] as const;

export function seatColor(seat: number): number {
  return SEAT_COLORS[seat % SEAT_COLORS.length]!;
}

export function seatCss(seat: number): string {
  return `#${seatColor(seat).toString(16).padStart(6, '0')}`;
}
