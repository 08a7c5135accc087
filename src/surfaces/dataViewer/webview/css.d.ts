// esbuild bundles imported CSS into dist/webview/dataViewer.css (scripts/build.mjs).
declare module '*.css';
