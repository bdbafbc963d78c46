/**
 * @datastreamer/server-node: see ARCHITECTURE.md for what this package owns. Its public names are listed here.
 */
export {};
