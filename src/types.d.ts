declare module "*.sql" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const path: string;
  export default path;
}

/** Vendor scripts imported as embedded files (`with { type: "file" }`): the import is a path. */
declare module "htmx.org/dist/htmx.min.js" {
  const path: string;
  export default path;
}
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}

declare module "*.yaml" {
  const path: string;
  export default path;
}
