// Saving the figures: each canvas as a PNG file, drawn by the browser from nnmath's numbers.
export function savePngs(canvases) {
  for (const canvas of canvases) {
    const link = document.createElement("a");
    link.download = `playground-${canvas.id}.png`;
    link.href = canvas.toDataURL("image/png");
    link.click();
  }
}
