/** Where a match page's ending goes: the top of its main column (beside the designer), above the standings. */
export function endingHost(app: HTMLElement): HTMLElement {
  return (app.querySelector('.race-layout > div:last-child') as HTMLElement | null) ?? app;
}
