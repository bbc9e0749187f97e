/** Scripts the dashboard embeds with `with { type: "file" }`: the import is a path. */
declare module "htmx.org/dist/ext/hx-sse.min.js" {
  const path: string;
  export default path;
}
declare module "*/static/app.js" {
  const path: string;
  export default path;
}
