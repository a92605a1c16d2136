/*
| (being written)
*/
export {}
