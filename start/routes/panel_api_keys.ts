// Routes of the panel's api_keys pages (to be written).
export {}
