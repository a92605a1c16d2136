// Routes of the panel's customers pages (to be written).
export {}
