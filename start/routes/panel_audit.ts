// Routes of the panel's audit pages (to be written).
export {}
