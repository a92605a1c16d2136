// Routes of the panel's plugins pages (to be written).
export {}
