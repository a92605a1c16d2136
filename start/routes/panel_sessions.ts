// Routes of the panel's sessions pages (to be written).
export {}
