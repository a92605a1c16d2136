import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'licenses.activate': { paramsTuple?: []; params?: {} }
    'licenses.deactivate': { paramsTuple?: []; params?: {} }
    'licenses.verify': { paramsTuple?: []; params?: {} }
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'sessions.start': { paramsTuple?: []; params?: {} }
    'sessions.heartbeat': { paramsTuple?: []; params?: {} }
    'sessions.end': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.activate': { paramsTuple?: []; params?: {} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
  }
  GET: {
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
  }
  HEAD: {
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
  }
  POST: {
    'licenses.activate': { paramsTuple?: []; params?: {} }
    'licenses.deactivate': { paramsTuple?: []; params?: {} }
    'licenses.verify': { paramsTuple?: []; params?: {} }
    'sessions.start': { paramsTuple?: []; params?: {} }
    'sessions.heartbeat': { paramsTuple?: []; params?: {} }
    'sessions.end': { paramsTuple?: []; params?: {} }
    'single_use.activate': { paramsTuple?: []; params?: {} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}