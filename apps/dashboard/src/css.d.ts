// Global stylesheets are imported for their side effect (Next.js bundles them).
declare module '*.css';
