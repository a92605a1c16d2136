// Routes of the panel's licenses pages (to be written).
export {}
