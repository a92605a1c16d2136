/*
| A product's catalogue in the panel: its entitlements, meters and license
| templates (list on one page; create, edit, delete where nothing depends
| on the entry). Codes stay as created: clients name them.
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** Product and catalogue ids (`integer` columns): anything longer is a 404, never a database error. */
const rowId = { match: /^[1-9][0-9]{0,8}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('products/:id/catalogue', [controllers.panel.Catalogue, 'show'])

    router.get('products/:id/entitlements/new', [controllers.panel.CatalogueEntitlements, 'create'])
    router.post('products/:id/entitlements', [controllers.panel.CatalogueEntitlements, 'store'])
    router.get('products/:id/entitlements/:entitlement/edit', [
      controllers.panel.CatalogueEntitlements,
      'edit',
    ])
    router.post('products/:id/entitlements/:entitlement', [
      controllers.panel.CatalogueEntitlements,
      'update',
    ])
    router.post('products/:id/entitlements/:entitlement/delete', [
      controllers.panel.CatalogueEntitlements,
      'destroy',
    ])

    router.get('products/:id/meters/new', [controllers.panel.CatalogueMeters, 'create'])
    router.post('products/:id/meters', [controllers.panel.CatalogueMeters, 'store'])
    router.get('products/:id/meters/:meter/edit', [controllers.panel.CatalogueMeters, 'edit'])
    router.post('products/:id/meters/:meter', [controllers.panel.CatalogueMeters, 'update'])
    router.post('products/:id/meters/:meter/delete', [controllers.panel.CatalogueMeters, 'destroy'])

    router.get('products/:id/templates/new', [controllers.panel.LicenseTemplates, 'create'])
    router.post('products/:id/templates', [controllers.panel.LicenseTemplates, 'store'])
    router.get('products/:id/templates/:template/edit', [
      controllers.panel.LicenseTemplates,
      'edit',
    ])
    router.post('products/:id/templates/:template', [controllers.panel.LicenseTemplates, 'update'])
    router.post('products/:id/templates/:template/delete', [
      controllers.panel.LicenseTemplates,
      'destroy',
    ])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', rowId)
  .where('entitlement', rowId)
  .where('meter', rowId)
  .where('template', rowId)
  .use(panelGuards())
