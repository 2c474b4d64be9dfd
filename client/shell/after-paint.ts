/**
 * Resolves once the browser has painted its next frame (an animation frame, then a task after it), or after
 * `fallbackMs` where no frame comes (a hidden tab paints none): work started then does not hold up a picture that is
 * ready to be shown.
 */
export function afterNextPaint(fallbackMs = 500): Promise<void> {
  return new Promise((painted) => {
    requestAnimationFrame(() => setTimeout(painted, 0));
    setTimeout(painted, fallbackMs);
  });
}
