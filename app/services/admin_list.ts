import AdminUser from '#models/admin_user'
import { paginate, whereMatches, type ListState } from '#support/panel_list'

/**
 * The panel's list of admins: search over email and name, a role filter,
 * sorted by the chosen column and then by id.
 */
export default class AdminList {
  async page(list: ListState) {
    const query = AdminUser.query().orderBy(list.sort, list.dir).orderBy('id')
    if (list.q) whereMatches(query, ['email', 'full_name'], list.q)
    if (list.filters.role) query.where('role', list.filters.role)
    return paginate<AdminUser>(query, list)
  }
}
