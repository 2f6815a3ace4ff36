/* The govgrid web map: the project's own basemap tiles, the plan's grids
 * coloured from the service's palette with their codes and community
 * names, search, a plan selector, the planner's layers and popups with the
 * grid's workers. Chinese first, English on a switch. Talks only to the
 * service that served it; each route it uses may be missing from an older
 * service (a 404), and the feature that needs it then steps aside. */
(function () {
  'use strict';

  /* Every visible word, in both languages. */
  var TEXT = {
    zh: {
      brand: '网格地图', search: '搜索', searchPlaceholder: '网格编码、社区、地点、地址或经纬度',
      searchUnavailable: '此服务不提供搜索', searchNone: '没有结果', searching: '搜索中…',
      menu: '菜单', crs: '搜索坐标系', plan: '方案', key: '访问密钥', load: '载入', layers: '图层', dept: '部门',
      layerBasemap: '底图', layerCommunities: '社区边界', layerFlags: '异常网格（超上限、不可分、无解）',
      layerShortStaffed: '人员不足的网格', layerDepts: '部门网格', layerConflicts: '去重冲突', layerIncidents: '事件',
      unavailable: '（服务未提供）', noDept: '（选择部门）', newest: '最新', draft: '草案',
      planUnavailable: '当前方案', locate: '定位我的位置', locateFailed: '无法定位：',
      loadingGrids: '正在载入网格…', gridsShown: '显示 {n} 个网格，方案 {plan}', error: '出错：',
      needKey: '需要访问密钥才能查看网格（输入后按回车）', keyRejected: '访问密钥无效或权限不足',
      households: '户数', persons: '人口', area: '面积', community: '社区', type: '类型', flags: '标记',
      workers: '网格人员', noWorkers: '（无）', contactsWithheld: '（需密钥查看联系人）', status: '定位',
      distance: '距离', notInGrid: '不在网格内', hh: '{n} 户', noCount: '无户数', zeroHouseholds: '0 户',
      dedicated: '专属网格', legendIncidents: '事件', shortStaffed: '人员不足',
      inside: '在网格内', near_boundary: '临近边界', snapped: '已吸附', outside: '网格外',
      leader: '网格长', fulltime: '专职网格员', parttime: '兼职网格员', volunteer: '网格志愿者', instructor: '网格指导员',
      open: '处理中', closed: '已办结', over_max: '超过上限', under_min: '低于下限', island: '飞地',
      indivisible: '不可再分', small_community: '小社区', no_households: '无住户', multipart: '多部分',
      infeasible: '无可行划分', unreachable: '无法达到', cut: '切割', overlap: '重叠', gap: '缝隙',
      conflict: '冲突', dept_grid: '部门网格', grid: '网格', township: '街道乡镇', poi: '地点', road: '道路',
      address: '地址', coordinate: '坐标', t1: '综合网格', t2: '党政机关', t3: '产业园区', t4: '企事业单位',
      t5: '商务楼宇', t6: '商圈市场', t7: '景区', t9: '其他专属', m2: '平方米', km2: '平方公里',
      edit: '编辑方案', editTitle: '编辑方案 #{plan}', editClose: '退出编辑', editPick: '点击地图选择网格',
      editMerge: '与邻格合并', editSplit: '沿线切分', editLock: '锁定', editUnlock: '解锁', editFinish: '完成画线',
      editCancel: '取消', editSave: '保存为新草案', editNote: '修改说明', editDiff: '与已发布方案比较',
      editPublish: '发布此方案', neighbours: '相邻网格', locked: '已锁定', editPickNeighbour: '点击要合并的相邻网格',
      editDrawLine: '在地图上逐点画切分线，双击或按“完成画线”结束（{n} 个点）', editChecking: '正在检查…',
      editWouldDo: '预览（尚未保存）', editRefused: '不能执行：', editWarnings: '规则提示', editNoWarnings: '无规则提示',
      editSaved: '已保存为草案 #{plan}', editNothing: '先选择网格', editPublished: '方案 #{plan} 已发布，服务已切换',
      editPublishing: '正在发布…', editWaiting: '等待服务切换到方案 #{plan}…', editNoPublished: '还没有已发布的方案',
      editSamePlan: '当前显示的就是已发布的方案', diffTitle: '方案 #{a} → #{b} 的变化', added: '新增', retired: '撤销',
      reshaped: '调整', recounted: '户数变化', unchanged: '未变', householdsMoved: '户数迁移', householdsTotal: '总户数',
      change: '变化', merge: '合并', split: '切分', lock: '锁定', unlock: '解锁', piece: '网格',
      editMove: '移交街区', move: '移交街区', editPickBlock: '点击地图上的街区，或在下表中选择要移交给哪个相邻网格',
      blocks: '街区', block: '街区', moveTo: '移交给', noBlockTarget: '无同社区相邻网格',
      console: '事件调度台', consoleClose: '关闭', layerRedGrids: '红灯事件网格', caseState: '状态', stateOpen: '未办结',
      stateAll: '全部', reported: '已上报', accepted: '已受理', dispatched: '已派遣', in_progress: '处理中',
      fed_back: '已反馈', verified: '已核查', returned: '已退回', suspended: '已挂起', closed_case: '已结案',
      rejected: '不予受理', caseGrid: '网格编码', caseDepartment: '部门', caseItem: '事项编码', caseFilter: '筛选',
      caseHandler: '处置人或部门', caseReason: '退回原因', caseApprove: '批准', caseNote: '处理结果',
      act_dispatch: '派遣', act_return: '退回', act_extend: '延期', act_feedback: '反馈', act_verify: '核查',
      act_close: '结案', act_report: '上报', act_accept: '受理', act_start: '开始处理', act_reject: '不予受理',
      act_reopen: '重新办理', act_escalate: '上报上级', act_suspend: '挂起', act_resume: '恢复', act_rate: '评价',
      act_refer: '转办', act_comment: '备注', light_green: '绿灯', light_yellow: '黄灯', light_red: '红灯',
      light_none: '无灯', clockAt: '时钟：{at}', casesShown: '{n} 件事件', casesTruncated: '（仅显示前 {n} 件）',
      caseHandlerNow: '处置人', caseLevel: '层级', caseReachBy: '到场时限', caseDeadline: '办结时限',
      caseCloseBy: '结案时限', caseDue: '当前时限', caseSupervised: '督办', caseHistory: '办理记录', caseItemCode: '事项',
      caseSource: '来源', caseDone: '已{action}', caseGridRed: '{n} 件红灯', redGridsLegend: '红灯事件数',
      caseStateName: '状态', caseLight: '灯', caseNoCases: '没有事件'
    },
    en: {
      brand: 'Grid map', search: 'Search', searchPlaceholder: 'Grid code, community, place, address or lon,lat',
      searchUnavailable: 'Search is not available on this service', searchNone: 'No results', searching: 'Searching…',
      menu: 'Menu', crs: 'Search coordinates', plan: 'Plan', key: 'API key', load: 'Load', layers: 'Layers', dept: 'Department',
      layerBasemap: 'Basemap', layerCommunities: 'Community boundaries', layerFlags: 'Flagged grids (over maximum, indivisible, infeasible)',
      layerShortStaffed: 'Short-staffed grids', layerDepts: 'Departmental grids', layerConflicts: 'Dedup conflicts',
      layerIncidents: 'Incidents', unavailable: ' (not on this service)', noDept: '(pick a department)',
      newest: 'newest', draft: 'draft', planUnavailable: 'current plan', locate: 'Show my location',
      locateFailed: 'Could not locate: ', loadingGrids: 'Loading grids…', gridsShown: '{n} grids shown, plan {plan}',
      error: 'Error: ', needKey: 'Grids need an API key (type it and press Enter)', keyRejected: 'The API key is unknown or lacks the right',
      households: 'Households', persons: 'Persons', area: 'Area', community: 'Community', type: 'Type', flags: 'Flags',
      workers: 'Workers', noWorkers: '(none)', contactsWithheld: '(contacts need a key)', status: 'Located',
      distance: 'distance', notInGrid: 'not in a grid', hh: '{n} households', noCount: 'no count',
      zeroHouseholds: '0 households', dedicated: 'dedicated grid', legendIncidents: 'Incidents', shortStaffed: 'short-staffed',
      inside: 'inside', near_boundary: 'near the boundary', snapped: 'snapped', outside: 'outside',
      leader: 'grid leader', fulltime: 'full-time worker', parttime: 'part-time worker', volunteer: 'volunteer', instructor: 'instructor',
      open: 'open', closed: 'closed', over_max: 'over maximum', under_min: 'under minimum', island: 'island',
      indivisible: 'indivisible', small_community: 'small community', no_households: 'no households', multipart: 'multipart',
      infeasible: 'infeasible', unreachable: 'unreachable', cut: 'cut', overlap: 'overlap', gap: 'gap',
      conflict: 'conflict', dept_grid: 'departmental grid', grid: 'grid', township: 'township', poi: 'place', road: 'road',
      address: 'address', coordinate: 'coordinate', t1: 'comprehensive', t2: 'government', t3: 'industrial park',
      t4: 'institution', t5: 'office building', t6: 'market', t7: 'scenic area', t9: 'other dedicated', m2: 'm²', km2: 'km²',
      edit: 'Edit plan', editTitle: 'Editing plan #{plan}', editClose: 'Stop editing', editPick: 'Click the map to pick a grid',
      editMerge: 'Merge with a neighbour', editSplit: 'Split along a line', editLock: 'Lock', editUnlock: 'Unlock',
      editFinish: 'Finish line', editCancel: 'Cancel', editSave: 'Save as a new draft', editNote: 'Note',
      editDiff: 'Compare with the published plan', editPublish: 'Publish this plan', neighbours: 'Neighbours',
      locked: 'locked', editPickNeighbour: 'Click the neighbour to merge with',
      editDrawLine: 'Click the line point by point; double-click or "Finish line" to end ({n} points)',
      editChecking: 'Checking…', editWouldDo: 'Preview (not saved)', editRefused: 'Cannot do this: ',
      editWarnings: 'Rule checks', editNoWarnings: 'No rule warnings', editSaved: 'Saved as draft #{plan}',
      editNothing: 'Pick a grid first', editPublished: 'Plan #{plan} is published and served',
      editPublishing: 'Publishing…', editWaiting: 'Waiting for the service to switch to plan #{plan}…',
      editNoPublished: 'No plan is published yet', editSamePlan: 'The plan shown is the published one',
      diffTitle: 'Changes from plan #{a} to #{b}', added: 'added', retired: 'retired', reshaped: 'reshaped',
      recounted: 'recounted', unchanged: 'unchanged', householdsMoved: 'households moved', householdsTotal: 'households',
      change: 'change', merge: 'merge', split: 'split', lock: 'lock', unlock: 'unlock', piece: 'grid',
      editMove: 'Move a block', move: 'move a block', editPickBlock: 'Click a street block on the map, or choose below which neighbour takes it',
      blocks: 'Street blocks', block: 'block', moveTo: 'to', noBlockTarget: 'no neighbour of its community',
      console: 'Dispatch console', consoleClose: 'Close', layerRedGrids: 'Grids with red incidents', caseState: 'State',
      stateOpen: 'open', stateAll: 'all', reported: 'reported', accepted: 'accepted', dispatched: 'dispatched',
      in_progress: 'in progress', fed_back: 'fed back', verified: 'verified', returned: 'returned', suspended: 'suspended',
      closed_case: 'closed', rejected: 'rejected', caseGrid: 'Grid code', caseDepartment: 'Department',
      caseItem: 'Item code', caseFilter: 'Filter', caseHandler: 'Handler or department', caseReason: 'Reason',
      caseApprove: 'approve', caseNote: 'Result', act_dispatch: 'Dispatch', act_return: 'Return', act_extend: 'Extend',
      act_feedback: 'Feed back', act_verify: 'Verify', act_close: 'Close', act_report: 'report', act_accept: 'accept',
      act_start: 'start', act_reject: 'reject', act_reopen: 'reopen', act_escalate: 'escalate', act_suspend: 'suspend',
      act_resume: 'resume', act_rate: 'rate', act_refer: 'refer', act_comment: 'comment', light_green: 'green',
      light_yellow: 'yellow', light_red: 'red', light_none: 'no light', clockAt: 'Clock: {at}', casesShown: '{n} incidents',
      casesTruncated: ' (first {n} only)', caseHandlerNow: 'Handler', caseLevel: 'Level', caseReachBy: 'Reach by',
      caseDeadline: 'Deadline', caseCloseBy: 'Close by', caseDue: 'Due', caseSupervised: 'Supervised by',
      caseHistory: 'History', caseItemCode: 'Item', caseSource: 'Source', caseDone: '{action}: done',
      caseGridRed: '{n} red', redGridsLegend: 'red incidents', caseStateName: 'State', caseLight: 'Light',
      caseNoCases: 'No incidents'
    }
  };
  var lang = localStorage.getItem('govgrid-lang') === 'en' ? 'en' : 'zh';
  function t(key, vars) {
    var s = TEXT[lang][key];
    if (s == null) s = TEXT.zh[key] != null ? TEXT.zh[key] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] != null ? vars[k] : m; });
    return s;
  }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  var $ = function (id) { return document.getElementById(id); };

  /* The palette of the printed map, used only when the service has no
   * GET /v1/palette (render/map.c's classes). */
  var BUILTIN_PALETTE = {
    households: [
      { max: 0, colour: '#e6e6e6', label: '0' }, { max: 249, colour: '#c7dbf2', label: '1–249' },
      { max: 299, colour: '#fcedb3', label: '250–299' }, { max: 399, colour: '#fccc73', label: '300–399' },
      { max: 500, colour: '#f5944d', label: '400–500' }, { max: null, colour: '#cc3326', label: '> 500' }
    ],
    no_count: '#d9d9d9', dedicated: '#9e85d1', flags: '#d7191c', short_staffed: '#ff7f00', boundary: '#3d3d3d'
  };
  var state = {
    plan: null, palette: BUILTIN_PALETTE, tiles: null, routes: {}, key: sessionStorage.getItem('govgrid-key') || '',
    grids: {}, communities: {}, zoomDrawn: null, fitted: false, dept: ''
  };

  /* --- talking to the service ---------------------------------------- */
  function headers() { return state.key ? { 'X-API-Key': state.key } : {}; }
  /* GET a JSON route: resolves {status, body}; a 404 marks the route as
   * missing (by its path without the query) so its feature steps aside. */
  function getJSON(url, signal) {
    return fetch(url, { headers: headers(), signal: signal }).then(function (r) {
      var route = url.split('?')[0];
      return r.json().catch(function () { return null; }).then(function (body) {
        if (route.indexOf('/v1/grids/') !== 0) state.routes[route] = r.status !== 404;
        return { status: r.status, body: body };
      });
    });
  }
  /* Sends body (may be none) as JSON with the key and any extra headers:
   * resolves {status, body} as getJSON does. */
  function sendJSON(method, url, body, extra) {
    var h = headers();
    if (body) h['Content-Type'] = 'application/json';
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return fetch(url, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (b) { return { status: r.status, body: b }; });
    });
  }
  /* What the service said when it refused a request. */
  function refusal(res) {
    return (res.body && res.body.error && res.body.error.message) || ('HTTP ' + res.status);
  }
  function errorText(res) {
    if (res.status === 401 || res.status === 403) return res.status === 401 && !state.key ? t('needKey') : t('keyRejected');
    return refusal(res);
  }
  function banner(text) {
    $('banner-text').textContent = text;
    $('banner').hidden = !text;
  }
  $('banner-close').addEventListener('click', function () { banner(''); });
  function say(text) { $('status').textContent = text; }

  /* --- the map --------------------------------------------------------- */
  var map = L.map('map', { minZoom: 3, maxZoom: 19, zoomControl: true, attributionControl: true,
                           preferCanvas: true, worldCopyJump: false });
  map.attributionControl.setPrefix('govgrid · Leaflet');
  var renderer = L.canvas({ padding: 0.3 });
  map.createPane('labels').classList.add('leaflet-labels-pane');
  map.getPane('labels').style.zIndex = 450;
  L.control.scale({ imperial: false }).addTo(map);

  var basemap = null;
  /* The grids: all of a view on one canvas (gridcanvas.js), with its own
   * hit testing for hover and the selected grid. The community and
   * township boundaries above them on a canvas of their own of the same
   * kind: Leaflet's own canvas renderer projected and redrew their long
   * rings on every move, half the repaint of a county's view. */
  var gridLayer = L.gridCanvas({ padding: 0.1, style: gridStyle, key: function (f) { return (f.properties || {}).code; } });
  var communityLayer = L.gridCanvas({ padding: 0.1, key: featureId, style: communityStyle, className: 'gg-communities' });
  /* Dashed community and township lines, one pixel wide up to zoom 13: a
   * wider line is stroked as an outline and filled, and took 25-35 ms a
   * repaint for the few hundred communities of a county's view; from 14
   * on, a few are in view and the line is wide. */
  function communityStyle() {
    return { color: '#8a5a00', weight: map.getZoom() >= 14 ? 2.5 : 1, dashArray: '6 4', fillOpacity: 0 };
  }
  var communityWide = null;
  map.on('zoomend', function () {
    if (communityWide !== (map.getZoom() >= 14)) { communityWide = map.getZoom() >= 14; communityLayer.restyle(); }
  });
  var deptLayer = L.geoJSON(null, { renderer: renderer, interactive: false,
    style: function () { return { color: '#1f78b4', weight: 2, fillColor: '#1f78b4', fillOpacity: 0.12 }; } });
  var conflictLayer = L.geoJSON(null, { renderer: renderer, style: conflictStyle, pointToLayer: function (f, ll) {
    return L.circleMarker(ll, { renderer: renderer, radius: 5 });
  }, onEachFeature: function (f, layer) {
    var p = f.properties || {};
    layer.bindPopup(function () {
      return '<div class="popup"><b>' + esc(t(p.kind || 'conflict')) + '</b>' +
        (p.area_m2 != null ? '<br>' + esc(formatArea(p.area_m2)) : '') +
        (p.households != null ? '<br>' + esc(t('hh', { n: p.households })) : '') + '</div>';
    });
  } });
  var incidentLayer = L.layerGroup();
  gridLayer.addTo(map);

  var CONFLICT_COLOURS = { cut: '#e31a1c', overlap: '#6a3d9a', gap: '#ff7f00', outside: '#b15928' };
  function conflictStyle(f) {
    var c = CONFLICT_COLOURS[(f.properties || {}).kind] || '#e31a1c';
    return { color: c, weight: 2, fillColor: c, fillOpacity: 0.35 };
  }
  function formatArea(m2) {
    return m2 >= 1e6 ? (m2 / 1e6).toFixed(2) + ' ' + t('km2') : Math.round(m2) + ' ' + t('m2');
  }

  /* --- the palette ----------------------------------------------------- */
  /* The service's palette, read leniently: a list of household classes
   * (each with an upper bound, null for the last, and a colour) and the
   * colours of no count, dedicated grids and flags. */
  function readPalette(p) {
    if (!p || typeof p !== 'object') return BUILTIN_PALETTE;
    var list = p.households || p.classes || (p.household_classes) || [];
    var out = { households: [], no_count: BUILTIN_PALETTE.no_count, dedicated: BUILTIN_PALETTE.dedicated,
                flags: BUILTIN_PALETTE.flags, short_staffed: BUILTIN_PALETTE.short_staffed, boundary: BUILTIN_PALETTE.boundary };
    var colourOf = function (o) { return typeof o === 'string' ? o : o && (o.colour || o.color || o.fill || o.hex); };
    list.forEach(function (c) {
      var label = String(c.label || c.name || '');
      if (c.kind === 'no_count' || /no count|无户数/i.test(label)) { out.no_count = colourOf(c) || out.no_count; return; }
      var max = c.max != null ? c.max : c.upto != null ? c.upto : c.to != null ? c.to : null;
      if (/^0( households)?$/.test(label) || (c.min === 0 && max === 0)) max = 0;
      out.households.push({ max: max, colour: colourOf(c), label: label.replace(/ households$/, '') });
    });
    if (!out.households.length) out.households = BUILTIN_PALETTE.households;
    ['no_count', 'dedicated', 'flags', 'short_staffed', 'boundary'].forEach(function (k) {
      var v = colourOf(p[k]) || colourOf(p[k === 'dedicated' ? 'dedicated_grid' : k === 'no_count' ? 'none' : k]);
      if (typeof v === 'string') out[k] = v;
      else if (k === 'flags' && p.flags && typeof p.flags === 'object') {
        var first = Object.keys(p.flags)[0];
        if (first && colourOf(p.flags[first])) out.flags = colourOf(p.flags[first]);
      }
    });
    return out;
  }
  function fillColour(p) {
    var pal = state.palette;
    if (p.type != null && p.type !== 1) return pal.dedicated;
    if (p.households == null) return pal.no_count;
    for (var i = 0; i < pal.households.length; i++) {
      var c = pal.households[i];
      if (c.max == null || p.households <= c.max) return c.colour;
    }
    return pal.households[pal.households.length - 1].colour;
  }
  var FLAG_WORDS = ['over_max', 'indivisible', 'infeasible'];
  function flagList(p) { return String(p.flags || '').split(/[\s,;|]+/).filter(Boolean); }
  function isFlagged(p) { return flagList(p).some(function (f) { return FLAG_WORDS.indexOf(f) >= 0; }); }
  /* A diff's changed grids (planedit.js sets state.highlight, code to
   * change): outlined in the change's colour above the other styles. */
  var CHANGE_COLOURS = { added: '#1a9850', reshaped: '#2166ac', recounted: '#7b3294', retired: '#d73027' };
  function gridStyle(f) {
    var p = f.properties, s = { color: state.palette.boundary, weight: 1, fillColor: fillColour(p), fillOpacity: 0.6 };
    if (p.short_staffed && layerOn('shortStaffed')) { s.color = state.palette.short_staffed; s.weight = 3; s.dashArray = '5 3'; }
    if (isFlagged(p) && layerOn('flags')) { s.color = state.palette.flags; s.weight = 3; s.dashArray = null; }
    var red = state.redGrids && layerOn('redGrids') ? state.redGrids[p.code] : 0;
    if (red) { s.fillColor = red >= 3 ? '#a50f15' : red === 2 ? '#de2d26' : '#fb6a4a'; s.fillOpacity = 0.75; }
    var change = state.highlight && state.highlight[p.code];
    if (change) { s.color = CHANGE_COLOURS[change] || '#2166ac'; s.weight = 4; s.dashArray = null; }
    return s;
  }

  function legendHtml() {
    var pal = state.palette, h = '';
    pal.households.forEach(function (c) {
      var label = c.max === 0 ? t('zeroHouseholds') : (c.label || ('≤ ' + c.max)) + (lang === 'zh' ? ' 户' : '');
      h += '<div><i style="background:' + esc(c.colour) + '"></i>' + esc(label) + '</div>';
    });
    h += '<div><i style="background:' + esc(pal.no_count) + '"></i>' + esc(t('noCount')) + '</div>';
    h += '<div><i style="background:' + esc(pal.dedicated) + '"></i>' + esc(t('dedicated')) + '</div>';
    if (layerOn('flags')) h += '<div><i class="line" style="border-color:' + esc(pal.flags) + '"></i>' + esc(t('flags')) + '</div>';
    if (layerOn('shortStaffed'))
      h += '<div><i class="line" style="border-color:' + esc(pal.short_staffed) + '"></i>' + esc(t('shortStaffed')) + '</div>';
    if (layerOn('redGrids'))
      h += '<div>' + esc(t('redGridsLegend')) + ' <i style="background:#fb6a4a"></i>1 <i style="background:#de2d26"></i>2 ' +
           '<i style="background:#a50f15"></i>3+</div>';
    if (layerOn('incidents'))
      h += '<div><i style="background:#d6336c;border-radius:7px"></i>' + esc(t('open')) +
           ' <i style="background:#2b8a3e;border-radius:7px"></i>' + esc(t('closed')) + '</div>';
    return h;
  }
  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () { return L.DomUtil.create('div', 'legend'); };
  legend.addTo(map);
  function drawLegend() {
    var h = legendHtml();
    legend.getContainer().innerHTML = h;
    $('legend-menu').innerHTML = h;
  }

  /* --- locate me --------------------------------------------------------- */
  var here = null;
  if (navigator.geolocation) {
    var locateControl = L.control({ position: 'topleft' });
    locateControl.onAdd = function () {
      var d = L.DomUtil.create('div', 'leaflet-bar gg-locate');
      var a = L.DomUtil.create('a', '', d);
      a.href = '#'; a.id = 'locate'; a.setAttribute('role', 'button'); a.textContent = '◎';
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.on(a, 'click', function (ev) {
        L.DomEvent.preventDefault(ev);
        a.classList.add('busy');
        map.locate({ setView: true, maxZoom: 17, enableHighAccuracy: true });
      });
      return d;
    };
    locateControl.addTo(map);
    map.on('locationfound', function (ev) {
      $('locate').classList.remove('busy');
      if (here) map.removeLayer(here);
      here = L.circle(ev.latlng, { radius: ev.accuracy, renderer: renderer, color: '#1f78b4', weight: 1, fillOpacity: 0.15 }).addTo(map);
    });
    map.on('locationerror', function (ev) {
      $('locate').classList.remove('busy');
      banner(t('locateFailed') + ev.message);
    });
  }

  /* --- layers menu ------------------------------------------------------- */
  function layerBox(name) { return document.querySelector('#layers input[data-layer="' + name + '"]'); }
  function layerOn(name) { var b = layerBox(name); return !!(b && b.checked && !b.disabled); }
  function markUnavailable(name) {
    var b = layerBox(name);
    b.checked = false; b.disabled = true;
    b.parentNode.classList.add('unavailable');
    b.parentNode.setAttribute('data-unavailable', '1');
    applyLang();
  }
  Array.prototype.forEach.call(document.querySelectorAll('#layers input[data-layer]'), function (b) {
    b.addEventListener('change', function () { layerChanged(b.getAttribute('data-layer')); });
  });
  function layerChanged(name) {
    if (name === 'basemap' && basemap) { if (layerOn('basemap')) basemap.addTo(map); else map.removeLayer(basemap); }
    if (name === 'flags' || name === 'shortStaffed' || name === 'redGrids') gridLayer.restyle();
    if (name === 'redGrids' && state.onRedGrids) state.onRedGrids();
    if (name === 'communities') { if (layerOn(name)) communityLayer.addTo(map); else map.removeLayer(communityLayer); drawLabels(); }
    if (name === 'incidents') { if (layerOn(name)) { incidentLayer.addTo(map); loadIncidents(); } else map.removeLayer(incidentLayer); }
    if (name === 'conflicts') { if (layerOn(name)) conflictLayer.addTo(map); else map.removeLayer(conflictLayer); }
    if (name === 'depts') { if (layerOn(name)) deptLayer.addTo(map); else map.removeLayer(deptLayer); }
    drawLegend();
    scheduleView();
  }
  $('dept').addEventListener('change', function () {
    state.dept = $('dept').value;
    deptCache = {};
    deptLayer.clearLayers();
    if (state.dept && !layerOn('depts')) { layerBox('depts').checked = true; layerChanged('depts'); } else scheduleView();
  });
  $('menu-button').addEventListener('click', function () {
    var open = !document.body.classList.contains('menu-open');
    document.body.classList.toggle('menu-open', open);
    $('menu-button').setAttribute('aria-expanded', String(open));
  });

  /* --- language --------------------------------------------------------- */
  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = 'govgrid ' + t('brand');
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (el) {
      el.textContent = t(el.getAttribute('data-i18n')) +
        (el.parentNode.getAttribute && el.parentNode.getAttribute('data-unavailable') ? t('unavailable') : '');
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-placeholder]'), function (el) {
      el.placeholder = el.id === 'search' && state.routes['/v1/search'] === false ? t('searchUnavailable') : t(el.getAttribute('data-i18n-placeholder'));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-aria]'), function (el) {
      el.setAttribute('aria-label', t(el.getAttribute('data-i18n-aria')));
    });
    $('lang').textContent = lang === 'zh' ? 'English' : '中文';
    $('lang').lang = lang === 'zh' ? 'en' : 'zh-CN';
    if ($('locate')) $('locate').title = t('locate');
    var none = $('dept').querySelector('option[value=""]');
    if (none) none.textContent = t('noDept');
    fillPlans();
    drawLegend();
    drawLabels();
    if (state.onLang) state.onLang();
  }
  $('lang').addEventListener('click', function () {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('govgrid-lang', lang);
    applyLang();
  });

  /* --- the key ---------------------------------------------------------- */
  $('key').value = state.key;
  $('key-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    state.key = $('key').value.trim();
    sessionStorage.setItem('govgrid-key', state.key);
    banner('');
    reloadAll();
  });

  /* --- plans ------------------------------------------------------------ */
  var plans = [];
  function fillPlans() {
    var sel = $('plan');
    sel.innerHTML = '';
    if (!plans.length) {
      var o = document.createElement('option');
      o.value = ''; o.textContent = state.plan ? '#' + state.plan : t('planUnavailable');
      sel.appendChild(o);
      sel.disabled = true;
      return;
    }
    sel.disabled = false;
    plans.forEach(function (p) {
      var o = document.createElement('option');
      o.value = String(p.id);
      o.textContent = '#' + p.id + ' · ' + (p.source || '') + (p.created ? ' · ' + String(p.created).slice(0, 10) : '') +
        (p.newest ? ' (' + t('newest') + ')' : ' (' + t('draft') + ')') + (p.note ? ' ' + p.note : '');
      if (String(p.id) === String(state.plan)) o.selected = true;
      sel.appendChild(o);
    });
  }
  function loadPlans() {
    return getJSON('/v1/plans').then(function (res) {
      if (res.status !== 200) return;
      plans = Array.isArray(res.body) ? res.body : (res.body.plans || []);
      if (state.plan == null) {
        var newest = plans.filter(function (p) { return p.newest; })[0] || plans[plans.length - 1];
        if (newest) state.plan = newest.id;
      }
      fillPlans();
    }).catch(function () {});
  }
  $('plan').addEventListener('change', function () {
    state.plan = Number($('plan').value);
    state.fitted = false;
    reloadAll();
  });

  /* --- per-view fetching ------------------------------------------------- */
  /* Each view is fetched as the slippy-map tiles one zoom level up (512
   * pixels) that it touches, each cached per (plan, zoom, tile), so that a
   * pan asks only for what is new and the simplification matches the
   * zoom; the community boundaries, few and large, as tiles three levels
   * up (2,048 pixels), so that most pans need none. The previous view's
   * requests are aborted when the view moves. */
  var viewTimer = null, viewAbort = null, deptCache = {}, conflictCache = {};
  /* Loads the view once the current task is done (the moves and layer
   * changes of one task make one load). */
  function scheduleView() {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(loadView, 0);
  }
  /* The view is loaded as soon as a move ends: drawn at once from the
   * cache when it holds every tile, else asked for at once (a later move
   * aborts the requests). Meanwhile the last painting slides and scales
   * along with the map (gridcanvas.js): painting the grids held at the new
   * view first cost a county's zoom-12 view about 90 ms of the main thread
   * before its answer could be read. */
  map.on('moveend', function () {
    clearTimeout(viewTimer);
    loadView();
  });
  map.on('zoomstart', function () { map.getPane('labels').innerHTML = ''; });

  /* The tiles up levels above the zoom (1: 512-pixel tiles) that the view
   * touches. */
  function viewTiles(up) {
    var z = Math.round(map.getZoom()), tz = Math.max(0, Math.min(z - up, 16)), n = Math.pow(2, tz);
    var b = map.getBounds(), out = [];
    var x0 = lon2x(b.getWest(), n), x1 = lon2x(b.getEast(), n), y0 = lat2y(b.getNorth(), n), y1 = lat2y(b.getSouth(), n);
    for (var x = x0; x <= x1; x++)
      for (var y = y0; y <= y1; y++) out.push({ z: z, tz: tz, x: x, y: y, box: tileBox(tz, x, y) });
    return out;
  }
  function lon2x(lon, n) { return Math.max(0, Math.min(n - 1, Math.floor((lon + 180) / 360 * n))); }
  function lat2y(lat, n) {
    var r = Math.max(-85, Math.min(85, lat)) * Math.PI / 180;
    return Math.max(0, Math.min(n - 1, Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n)));
  }
  function tileBox(z, x, y) {
    var n = Math.pow(2, z), lat = function (yy) { return Math.atan(Math.sinh(Math.PI * (1 - 2 * yy / n))) * 180 / Math.PI; };
    return [x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)];
  }
  function tileKey(tl) { return tl.z + '/' + tl.x + '/' + tl.y + '/' + tl.tz; }
  /* A feature's box in degrees [w, s, e, n]: its GeoJSON bbox (the
   * polyline form has one), else worked out once. */
  var boxOf = typeof WeakMap === 'function' ? new WeakMap() : null;
  function featureBox(f) {
    if (Array.isArray(f.bbox) && f.bbox.length === 4) return f.bbox;
    var box = boxOf && boxOf.get(f);
    if (box) return box;
    box = [Infinity, Infinity, -Infinity, -Infinity];
    var g = f.geometry, walk = function (c) {
      if (typeof c[0] === 'number') {
        if (c[0] < box[0]) box[0] = c[0];
        if (c[0] > box[2]) box[2] = c[0];
        if (c[1] < box[1]) box[1] = c[1];
        if (c[1] > box[3]) box[3] = c[1];
      } else for (var i = 0; i < c.length; i++) walk(c[i]);
    };
    if (g && g.coordinates) walk(g.coordinates);
    if (boxOf) boxOf.set(f, box);
    return box;
  }
  /* Fetch one per-tile source: cache[key] holds the tile's features once
   * answered; resolves to the features of every tile of the view. The
   * tiles missing from the cache are asked for in one request, for the box
   * around them all, and its features shared out to the tiles their boxes
   * meet (as the service chose them): one request per source and view, not
   * one per tile, which waited in the browser's queue of six connections
   * behind each other and the basemap's tiles. */
  function fetchTiles(path, cache, tiles, extra, signal) {
    var missing = tiles.filter(function (tl) { return !cache[tileKey(tl)]; });
    var lists = function () { return tiles.map(function (tl) { return cache[tileKey(tl)]; }); };
    if (!missing.length) return Promise.resolve(lists());
    var all = [Infinity, Infinity, -Infinity, -Infinity];
    missing.forEach(function (tl) {
      var b = tl.box;
      all = [Math.min(all[0], b[0]), Math.min(all[1], b[1]), Math.max(all[2], b[2]), Math.max(all[3], b[3])];
    });
    var url = path + '?bbox=' + all.map(function (v) { return v.toFixed(6); }).join(',') + '&zoom=' + missing[0].z +
      (state.plan ? '&plan=' + state.plan : '') + (extra || '');
    return getJSON(url, signal).then(function (res) {
      if (res.status !== 200) throw res;
      var features = (res.body && res.body.features) || [];
      if (res.body && res.body.plan && state.plan == null) state.plan = res.body.plan;
      missing.forEach(function (tl) {
        var b = tl.box;
        cache[tileKey(tl)] = features.filter(function (f) {
          var fb = featureBox(f);
          return fb[2] >= b[0] && fb[0] <= b[2] && fb[3] >= b[1] && fb[1] <= b[3];
        });
      });
      return lists();
    });
  }
  /* Adds to a GeoJSON layer the features not on it yet (by id). */
  function addNew(layer, drawn, lists, idOf) {
    var fresh = [];
    lists.forEach(function (list) {
      list.forEach(function (f) {
        var id = idOf(f);
        if (!drawn[id]) { drawn[id] = f; fresh.push(f); }
      });
    });
    if (fresh.length) layer.addData(fresh);
    return fresh.length;
  }

  var drawnDept = {}, drawnConflicts = {}, gridCacheZoom = {}, gridsDrawn = null;
  function gridCache(kind) {
    var k = kind + '/' + (state.plan || '');
    return gridCacheZoom[k] || (gridCacheZoom[k] = {});
  }
  function loadView() {
    if (!state.started) return;
    if (viewAbort) viewAbort.abort();
    var abort = viewAbort = new AbortController();
    var tiles = viewTiles(1), z = tiles[0].z;
    if (state.zoomDrawn !== z) {
      state.zoomDrawn = z;
      communityLayer.clear(); deptLayer.clearLayers(); conflictLayer.clearLayers();
      drawnDept = {}; drawnConflicts = {};
    }
    var jobs = [];
    jobs.push(fetchTiles('/v1/grids', gridCache('grids'), tiles, '&limit=50000&encoding=polyline', abort.signal).then(function (lists) {
      if (abort.signal.aborted) return;
      /* The previous zoom's grids stay until this zoom's arrive, then are
       * replaced; at the same zoom and plan only new grids are added. */
      var all = [].concat.apply([], lists), which = (state.plan || '') + '/' + z;
      if (gridsDrawn !== which) { gridsDrawn = which; gridLayer.setFeatures(all); } else gridLayer.addFeatures(all);
      var n = gridLayer.count();
      document.body.setAttribute('data-grids', String(n));
      say(t('gridsShown', { n: n, plan: state.plan || '' }));
    }, function (res) {
      if (res && res.name === 'AbortError') return;
      document.body.setAttribute('data-grids', 'error');
      banner(res && res.status ? errorText(res) : t('error') + res.message);
    }));
    if (layerOn('communities') && state.routes['/v1/communities'] !== false)
      jobs.push(fetchTiles('/v1/communities', gridCache('communities'), viewTiles(3), '&encoding=polyline', abort.signal).then(function (lists) {
        if (!abort.signal.aborted) communityLayer.addFeatures([].concat.apply([], lists));
      }, function (res) { if (res && res.status === 404) markUnavailable('communities'); }));
    if (layerOn('depts') && state.dept)
      jobs.push(fetchTiles('/v1/dept-grids', deptCache, tiles, '&dept=' + encodeURIComponent(state.dept), abort.signal).then(function (lists) {
        if (!abort.signal.aborted) addNew(deptLayer, drawnDept, lists, featureId);
      }, function () {}));
    if (layerOn('conflicts'))
      jobs.push(fetchTiles('/v1/conflicts', conflictCache, tiles, '', abort.signal).then(function (lists) {
        if (abort.signal.aborted) return;
        addNew(conflictLayer, drawnConflicts, lists, featureId);
        document.body.setAttribute('data-conflicts', String(Object.keys(drawnConflicts).length));
      }, function (res) { if (res && res.status === 404) markUnavailable('conflicts'); }));
    return Promise.all(jobs).then(function () {
      if (abort.signal.aborted) return;
      if (!state.fitted && gridLayer.count() && !state.fitting) fitData();
      drawLabels();
      document.body.setAttribute('data-view', String(++viewCount));
      L.Util.requestAnimFrame(releaseTiles);
    }, function (e) { releaseTiles(); throw e; });
  }
  var viewCount = 0;
  function featureId(f) {
    var p = f.properties || {};
    return f.id != null ? String(f.id) : (p.level || p.kind || '') + ':' + (p.code || p.id || JSON.stringify(f.geometry).slice(0, 200));
  }

  /* The first view: the whole plan. Its extent comes from the community
   * boundaries (a few hundred features) when the service has them, else
   * from the grids themselves at a coarse zoom. */
  function firstView(mine) {
    var stale = function () { return mine != null && mine !== reloads; };
    state.fitting = true;
    var plan = state.plan ? '&plan=' + state.plan : '';
    var pick = function (res) {
      if (res.status !== 200 || !res.body || !res.body.features || !res.body.features.length) return null;
      if (res.body.plan && state.plan == null) state.plan = res.body.plan;
      return featureBounds(res.body.features);
    };
    return getJSON('/v1/communities?zoom=8' + plan).then(function (res) {
      if (res.status === 404) markUnavailable('communities');
      if (stale()) return null;
      return pick(res) || getJSON('/v1/grids?zoom=10&limit=50000' + plan).then(function (res2) {
        if (stale()) return null;
        if (res2.status !== 200) { banner(errorText(res2)); document.body.setAttribute('data-grids', 'error'); }
        return pick(res2);
      });
    }).then(function (bounds) {
      if (stale()) return;
      state.fitting = false;
      if (bounds && bounds.isValid()) {
        state.fitted = true;
        map.fitBounds(bounds, { padding: [10, 10], animate: false });
        map.setMinZoom(Math.max(3, map.getZoom() - 4));
        fillPlans();
      }
      scheduleView();
    }).catch(function (e) { if (!stale()) { state.fitting = false; banner(t('error') + e.message); } });
  }
  /* The box of GeoJSON features (featureBox's: their bbox, else their
   * coordinates; no layer is made for them). */
  function featureBounds(features) {
    var w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
    features.forEach(function (f) {
      var b = featureBox(f);
      w = Math.min(w, b[0]); s = Math.min(s, b[1]); e = Math.max(e, b[2]); n = Math.max(n, b[3]);
    });
    return w <= e ? L.latLngBounds([s, w], [n, e]) : L.latLngBounds([]);
  }
  function fitData() {
    var b = gridLayer.getBounds();
    if (!b.isValid()) return;
    state.fitted = true;
    map.fitBounds(b, { padding: [10, 10], animate: false });
  }

  /* --- labels ----------------------------------------------------------- */
  /* Names at the features' label points, greedy: communities first, then
   * grids by households (then area); a label is drawn only when its box
   * overlaps no label already drawn and lies inside its own feature's
   * on-screen box. Fewer fit as one zooms out; none is hover-only. */
  var measureCtx = document.createElement('canvas').getContext('2d');
  var FONT_GRID = '11px "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var FONT_COMMUNITY = 'bold 13px "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var widths = {};
  function textWidth(text, font) {
    var key = font + '\n' + text;
    if (widths[key] == null) { measureCtx.font = font; widths[key] = Math.ceil(measureCtx.measureText(text).width); }
    return widths[key];
  }
  function drawLabels() {
    var pane = map.getPane('labels');
    pane.innerHTML = '';
    if (!state.started) return;
    var z = map.getZoom(), size = map.getSize(), view = L.bounds([0, 0], [size.x, size.y]);
    var cands = [];
    /* a, c: the feature's box on screen (north-west, south-east); at:
     * its label point on screen, or null for the middle of its box. */
    var candidate = function (kind, p, lines, a, c, at) {
      if (!lines[0]) return;
      at = at || L.point((a.x + c.x) / 2, (a.y + c.y) / 2);
      /* A feature larger than the screen whose label point is off it:
       * the middle of its part of the screen. */
      if (!view.contains(at)) {
        var shown = L.bounds([Math.max(a.x, 0), Math.max(a.y, 0)], [Math.min(c.x, size.x), Math.min(c.y, size.y)]);
        at = shown.getCenter();
      }
      cands.push({ kind: kind, lines: lines, at: at, box: L.bounds(a, c),
                   rank: kind === 'community' ? 1e12 : (p.households || 0) * 1e6 + (p.area_m2 || 0) / 1e3 });
    };
    if (layerOn('communities'))
      communityLayer.inView().forEach(function (d) {
        var p = d.feature.properties || {};
        if (p.level && p.level !== 'community' && z >= 15) return;
        var at = Array.isArray(p.label) && p.label.length === 2 ? map.latLngToContainerPoint([p.label[1], p.label[0]]) : null;
        candidate('community', p, [p.name || p.code || ''], L.point(d.box[0], d.box[1]), L.point(d.box[2], d.box[3]), at);
      });
    /* Grids from the grid layer's boxes; a grid lower on screen than one
     * line of text can hold no label and is passed over unmeasured. */
    if (z >= 12)
      gridLayer.inView().forEach(function (d) {
        var p = d.feature.properties || {}, code = String(p.code || '');
        var lines = z >= 17 ? (p.name ? [code, p.name] : [code]) : [code.slice(-4)];
        if (d.box[3] - d.box[1] < 14 * lines.length || d.box[2] - d.box[0] < 6) return;
        var at = Array.isArray(p.label) && p.label.length === 2 ? map.latLngToContainerPoint([p.label[1], p.label[0]]) : null;
        candidate('grid', p, lines, L.point(d.box[0], d.box[1]), L.point(d.box[2], d.box[3]), at);
      });
    cands.sort(function (a, b) { return b.rank - a.rank; });
    var placed = [], cell = 64, hash = {}, frag = document.createDocumentFragment(), origin = map.containerPointToLayerPoint([0, 0]);
    var hits = function (r) {
      for (var gx = Math.floor(r.x0 / cell); gx <= Math.floor(r.x1 / cell); gx++)
        for (var gy = Math.floor(r.y0 / cell); gy <= Math.floor(r.y1 / cell); gy++) {
          var list = hash[gx + ':' + gy];
          if (list) for (var i = 0; i < list.length; i++) {
            var o = list[i];
            if (r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1) return true;
          }
        }
      return false;
    };
    for (var i = 0; i < cands.length && placed.length < 600; i++) {
      var c = cands[i], font = c.kind === 'community' ? FONT_COMMUNITY : FONT_GRID, lh = c.kind === 'community' ? 16 : 14;
      var w = 6 + Math.max.apply(null, c.lines.map(function (s) { return textWidth(s, font); })), h = lh * c.lines.length;
      var r = { x0: Math.round(c.at.x - w / 2), y0: Math.round(c.at.y - h / 2) };
      r.x1 = r.x0 + w; r.y1 = r.y0 + h;
      if (r.x0 < view.min.x || r.y0 < view.min.y || r.x1 > view.max.x || r.y1 > view.max.y) continue;
      if (c.kind === 'grid' && (r.x0 < c.box.min.x || r.x1 > c.box.max.x || r.y0 < c.box.min.y || r.y1 > c.box.max.y)) continue;
      if (hits(r)) continue;
      for (var gx = Math.floor(r.x0 / cell); gx <= Math.floor(r.x1 / cell); gx++)
        for (var gy = Math.floor(r.y0 / cell); gy <= Math.floor(r.y1 / cell); gy++)
          (hash[gx + ':' + gy] = hash[gx + ':' + gy] || []).push(r);
      placed.push(r);
      var el = document.createElement('div');
      el.className = 'gg-label ' + c.kind;
      el.style.left = (r.x0 + origin.x) + 'px';
      el.style.top = (r.y0 + origin.y) + 'px';
      el.style.width = w + 'px';
      el.style.height = h + 'px';
      c.lines.forEach(function (s, k) {
        if (k) el.appendChild(document.createElement('br'));
        el.appendChild(document.createTextNode(s));
      });
      frag.appendChild(el);
    }
    pane.appendChild(frag);
    document.body.setAttribute('data-labels', String(placed.length));
  }

  /* --- popups ------------------------------------------------------------ */
  var TYPE_KEYS = { 1: 't1', 2: 't2', 3: 't3', 4: 't4', 5: 't5', 6: 't6', 7: 't7', 9: 't9' };
  function workersHtml(workers, withheld) {
    if (withheld) return '<tr><td>' + esc(t('workers')) + '</td><td>' + esc(t('contactsWithheld')) + '</td></tr>';
    if (!workers) return '';
    var rows = workers.map(function (w) {
      return esc(t(w.role)) + '：' + esc(w.name) + (w.phone ? ' <a href="tel:' + esc(String(w.phone).replace(/[^\d+]/g, '')) +
        '">' + esc(w.phone) + '</a>' : '');
    });
    return '<tr><td>' + esc(t('workers')) + '</td><td>' + (rows.length ? rows.join('<br>') : esc(t('noWorkers'))) + '</td></tr>';
  }
  function gridHtml(g, head) {
    var flags = flagList(g).map(function (f) { return t(f); }).join('、');
    var row = function (k, v) { return v == null || v === '' ? '' : '<tr><td>' + esc(t(k)) + '</td><td>' + esc(v) + '</td></tr>'; };
    return '<div class="popup located">' + (head || '') + '<span class="code">' + esc(g.code) + '</span>' +
      (g.name ? ' ' + esc(g.name) : '') + '<table>' +
      row('type', t(TYPE_KEYS[g.type] || ('t' + g.type))) +
      row('community', g.community_name ? g.community_name + ' (' + g.community + ')' : g.community) +
      row('households', g.households == null ? t('noCount') : g.households) + row('persons', g.persons) +
      row('area', g.area_m2 != null ? formatArea(g.area_m2) : null) + row('flags', flags) +
      (g.short_staffed ? row('shortStaffed', '✔') : '') +
      workersHtml(g.workers, g.contacts_withheld) + '</table></div>';
  }
  /* The popup of one grid: its record (with workers when the key may see
   * them) from /v1/grids/CODE, over what the caller already knows. */
  var gridPopup = null;
  function showGrid(code, latlng, known, head) {
    return getJSON('/v1/grids/' + encodeURIComponent(code)).then(function (res) {
      var g = L.extend({}, known || {}, res.status === 200 ? res.body : {});
      if (!g.code) g.code = code;
      gridPopup = L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(gridHtml(g, head)).openOn(map);
      gridLayer.select(code);
    });
  }
  /* The grid of the open popup is the selected one, highlighted. */
  map.on('popupclose', function (ev) {
    if (ev.popup === gridPopup) { gridPopup = null; gridLayer.select(null); }
  });
  /* A click selects the drawn grid under it at once; the service then says
   * where the point is (inside, near a boundary, snapped to a grid). */
  map.on('click', function (ev) {
    if (state.editing) return; /* planedit.js takes the clicks */
    var ll = ev.latlng, hit = gridLayer.featureAt(ll);
    gridLayer.select(hit ? hit.properties.code : null);
    getJSON('/v1/locate?lon=' + ll.lng.toFixed(7) + '&lat=' + ll.lat.toFixed(7)).then(function (res) {
      var loc = res.body || {};
      if (res.status !== 200) { banner(errorText(res)); return; }
      var head = '<div class="status">' + esc(t('status')) + '：' + esc(t(loc.status)) +
        (loc.distance_m && loc.status !== 'inside' ? ' (' + esc(t('distance')) + ' ' + Math.round(loc.distance_m) + ' m)' : '') + '</div>';
      if (!loc.grid_code) {
        gridLayer.select(null);
        L.popup().setLatLng(ll).setContent('<div class="popup located">' + head + '<span class="code">' +
          esc(t('notInGrid')) + '</span></div>').openOn(map);
        return;
      }
      var drawn = gridLayer.get(loc.grid_code), known = drawn ? drawn.properties : {};
      return showGrid(loc.grid_code, ll, known, head);
    });
  });

  /* Hover: the grid under the pointer outlined, once per frame. */
  var hoverAt = null, hoverFrame = null;
  function hoverNow() {
    hoverFrame = null;
    var f = hoverAt ? gridLayer.featureAt(hoverAt) : null;
    gridLayer.hover(f ? f.properties.code : null);
    map.getContainer().classList.toggle('gg-over-grid', !!f);
  }
  map.on('mousemove', function (ev) {
    hoverAt = ev.latlng;
    if (!hoverFrame) hoverFrame = L.Util.requestAnimFrame(hoverNow);
  });
  map.getContainer().addEventListener('mouseleave', function () { hoverAt = null; hoverNow(); });

  /* --- search ------------------------------------------------------------- */
  var searchTimer = null, searchAbort = null, results = [];
  function showResults(items, note) {
    var ul = $('results');
    ul.innerHTML = '';
    results = items || [];
    if (note) {
      var li = document.createElement('li');
      li.className = 'note'; li.textContent = note;
      ul.appendChild(li);
    }
    results.forEach(function (r, i) {
      var li = document.createElement('li');
      li.setAttribute('data-index', String(i));
      li.appendChild(document.createTextNode(r.name || r.code || ''));
      var small = document.createElement('small');
      small.textContent = t(r.kind) + (r.code && r.code !== r.name ? ' ' + r.code : '') +
        (r.community && r.kind !== 'community' ? ' · ' + r.community : '');
      li.appendChild(small);
      li.addEventListener('click', function () { pick(i); });
      ul.appendChild(li);
    });
    ul.hidden = !note && !results.length;
  }
  function runSearch() {
    var q = $('search').value.trim();
    if (!q) { showResults([]); return Promise.resolve(); }
    if (state.routes['/v1/search'] === false) { showResults([], t('searchUnavailable')); return Promise.resolve(); }
    if (searchAbort) searchAbort.abort();
    searchAbort = new AbortController();
    return getJSON('/v1/search?q=' + encodeURIComponent(q) + '&limit=10&crs=' + $('crs').value, searchAbort.signal).then(function (res) {
      if (res.status === 404 && state.routes['/v1/search'] === false) { applyLang(); showResults([], t('searchUnavailable')); return; }
      if (res.status !== 200) { showResults([], errorText(res)); return; }
      var list = Array.isArray(res.body) ? res.body : (res.body.results || res.body.features || []);
      showResults(list, list.length ? null : t('searchNone'));
    }).catch(function () {});
  }
  $('search').addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  $('search').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(searchTimer);
      if (results.length) pick(0); else runSearch().then(function () { if (results.length === 1) pick(0); });
    } else if (ev.key === 'Escape') showResults([]);
  });
  function pick(i) {
    var r = results[i];
    if (!r) return;
    showResults([]);
    $('search').blur();
    document.body.classList.remove('menu-open');
    var ll = L.latLng(r.lat, r.lon);
    if (Array.isArray(r.bbox) && r.bbox.length === 4 && r.bbox[0] !== r.bbox[2])
      map.fitBounds([[r.bbox[1], r.bbox[0]], [r.bbox[3], r.bbox[2]]], { maxZoom: 18, animate: false });
    else map.setView(ll, Math.max(map.getZoom(), 17), { animate: false });
    var code = r.grid_code || (r.kind === 'grid' ? r.code : null);
    if (code) {
      var known = { code: code, community: r.community, workers: r.workers };
      if (!r.workers) delete known.workers;
      showGrid(code, ll, known, '<div class="status">' + esc(r.name || '') + '</div>').then(function () {
        document.body.setAttribute('data-picked', code);
      });
    } else {
      L.popup().setLatLng(ll).setContent('<div class="popup"><b>' + esc(r.name || r.code) + '</b><br>' + esc(t(r.kind)) +
        (r.community ? ' · ' + esc(r.community) : '') + '</div>').openOn(map);
      document.body.setAttribute('data-picked', r.code || r.name || '');
    }
  }
  document.addEventListener('click', function (ev) { if (!$('search-box').contains(ev.target)) $('results').hidden = true; });

  /* --- incidents ---------------------------------------------------------- */
  function loadIncidents() {
    if (!layerOn('incidents')) return Promise.resolve();
    return getJSON('/open311/v2/requests.json').then(function (res) {
      incidentLayer.clearLayers();
      var list = res.status === 200 && Array.isArray(res.body) ? res.body : [];
      list.forEach(function (q) {
        if (q.lat == null || q.long == null) return;
        L.circleMarker([q.lat, q.long], { renderer: renderer, radius: 7, color: '#fff', weight: 1,
                                          fillColor: q.status === 'closed' ? '#2b8a3e' : '#d6336c', fillOpacity: 1 })
          .bindPopup(function () {
            return '<div class="popup"><b>' + esc(q.service_name || q.service_code) + '</b><br>#' + esc(q.service_request_id) +
              ' · ' + esc(t(q.status)) + '<br>' + esc(q.grid_code || '—') + (q.worker_name ? ' · ' + esc(q.worker_name) : '') + '</div>';
          })
          .addTo(incidentLayer);
      });
      document.body.setAttribute('data-incidents', String(list.length));
    });
  }

  /* The basemap asks for a view's tiles once the view's grids are painted
   * (at once when they were cached, and after TILES_WAIT_MS whatever
   * happens): on two cores, twenty tiles' requests, decoding and
   * compositing took turns with the grids' answer and painting, a third
   * of a county view's repaint. A move holds the tiles back until its
   * view is loaded. */
  var TILES_WAIT_MS = 600, tilesHeld = false, tilesTimer = null;
  var Basemap = L.TileLayer.extend({
    _update: function (center) {
      if (tilesHeld) { this._updateWanted = true; return; }
      return L.TileLayer.prototype._update.call(this, center);
    }
  });
  map.on('movestart', function () {
    if (!state.started) return;
    tilesHeld = true;
    clearTimeout(tilesTimer);
    tilesTimer = setTimeout(releaseTiles, TILES_WAIT_MS);
  });
  function releaseTiles() {
    clearTimeout(tilesTimer);
    tilesHeld = false;
    if (basemap && basemap._map && basemap._updateWanted) {
      basemap._updateWanted = false;
      basemap._update();
    }
  }

  /* --- optional routes ---------------------------------------------------- */
  function probeTiles() {
    return fetch('/tiles/0/0/0.png').then(function (r) {
      if (!r.ok) { markUnavailable('basemap'); return; }
      var retina = window.devicePixelRatio > 1;
      return (retina ? fetch('/tiles/0/0/0@2x.png').then(function (r2) { return r2.ok; }) : Promise.resolve(false))
        .then(function (hd) {
          basemap = new Basemap('/tiles/{z}/{x}/{y}' + (hd ? '{r}' : '') + '.png', {
            minZoom: 0, maxZoom: 19, maxNativeZoom: 19, detectRetina: false, tileSize: 256,
            attribution: '© OpenStreetMap contributors (ODbL) · govgrid'
          });
          basemap.on('tileload', function () { document.body.setAttribute('data-tiles', 'loaded'); });
          if (layerOn('basemap')) basemap.addTo(map);
          state.tiles = true;
        });
    }).catch(function () { markUnavailable('basemap'); });
  }
  function probeDepts() {
    return getJSON('/v1/depts').then(function (res) {
      if (res.status !== 200) { if (res.status === 404) { markUnavailable('depts'); $('dept').hidden = true; } return; }
      var list = Array.isArray(res.body) ? res.body : (res.body.depts || res.body.departments || []);
      var sel = $('dept');
      sel.innerHTML = '<option value=""></option>';
      list.forEach(function (d) {
        var o = document.createElement('option');
        o.value = String(d.id != null ? d.id : d.code != null ? d.code : d.name);
        o.textContent = (d.name || o.value) + (d.grids != null ? ' (' + d.grids + ')' : '');
        sel.appendChild(o);
      });
      applyLang();
    }).catch(function () {});
  }
  function probeConflicts() {
    return getJSON('/v1/conflicts?bbox=0,0,0.0001,0.0001').then(function (res) {
      if (res.status === 404) markUnavailable('conflicts');
    }).catch(function () {});
  }
  function probeShortStaffed() {
    var any = false;
    gridLayer.eachFeature(function (f) { any = any || 'short_staffed' in (f.properties || {}); });
    if (!any && gridLayer.count()) markUnavailable('shortStaffed');
  }

  /* Each reload (the first, a key entered, a plan chosen) has a number:
   * the first view of an older one, still waiting for its answers (say a
   * refusal for want of the key just entered), must not overwrite what a
   * newer one has drawn. */
  var reloads = 0;
  function reloadAll() {
    var mine = ++reloads;
    gridCacheZoom = {}; deptCache = {}; conflictCache = {};
    state.zoomDrawn = null; gridsDrawn = null;
    state.routes['/v1/grids'] = null;
    if (state.onReload) state.onReload();
    return Promise.all([loadPlans(), loadIncidents(), probeConflicts()]).then(function () {
      if (mine !== reloads) return;
      state.started = true;
      return state.fitted ? loadView() : firstView(mine);
    });
  }

  function start() {
    map.setView([39.9, 116.4], 12);
    applyLang();
    getJSON('/v1/palette').then(function (res) {
      if (res.status === 200) state.palette = readPalette(res.body);
      state.paletteSource = res.status === 200 ? 'service' : 'builtin';
      gridLayer.restyle();
      drawLegend();
    }).catch(function () {});
    if (!layerOn('communities')) map.removeLayer(communityLayer); else communityLayer.addTo(map);
    if (layerOn('incidents')) incidentLayer.addTo(map);
    Promise.all([probeTiles(), probeDepts(), probeConflicts(), reloadAll()]).then(function () {
      setTimeout(probeShortStaffed, 0);
      document.body.setAttribute('data-ready', '1');
    });
  }
  /* For scripts and the end-to-end test. */
  window.govgrid = { map: map, state: state, reload: reloadAll, t: t, gridLayer: gridLayer, getJSON: getJSON,
                     sendJSON: sendJSON, refusal: refusal, headers: headers, banner: banner, layerOn: layerOn, drawLegend: drawLegend, errorText: errorText, esc: esc, formatArea: formatArea,
                     workersHtml: workersHtml, typeName: function (type) { return t(TYPE_KEYS[type] || ('t' + type)); },
                     tilesLoading: function () { return tilesHeld || !!(basemap && basemap._map && basemap.isLoading()); } };
  start();
}());
