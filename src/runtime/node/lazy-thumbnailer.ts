import type { Thumbnailer } from "../../ports/thumbnailer.js";

let loaded: Promise<Thumbnailer> | undefined;
const sharpThumbnailer = () =>
  (loaded ??= import("../../adapters/node/sharp-thumbnailer.js").then((m) => m.sharpThumbnailer));

/** The sharp thumbnailer, loaded with the first image rather than at start-up: sharp brings libvips,
 * ~30 MB of resident memory and ~150 ms of start-up that a server without uploads never uses. */
export const lazySharpThumbnailer: Thumbnailer = {
  probe: async (source) => (await sharpThumbnailer()).probe(source),
  generate: async (source, spec, maxPixels) => (await sharpThumbnailer()).generate(source, spec, maxPixels),
};
