#include "names.h"

#include <stdio.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const stem_first[] = {
    "东", "西", "南", "北", "青", "石", "金", "银", "新", "清", "河", "湖", "山", "龙",
    "凤", "白", "红", "黄", "长", "安", "平", "和", "兴", "华", "永", "丰", "富", "宝",
    "春", "秋", "梅", "竹", "松", "柳", "杨", "桃", "花", "林", "泉", "溪", "江", "云",
    "月", "星", "光", "明", "德", "仁", "义", "福", "寿", "康", "乐", "吉", "祥", "瑞",
    "嘉", "盛", "茂", "裕", "顺", "泰", "恒", "建", "振", "文", "武", "翠", "碧", "玉",
    "双", "三", "九", "万", "朱", "沙", "洋", "滨", "汇", "荷", "莲", "芦", "桑", "麻"};
static const char *const stem_second[] = {
    "湖", "石", "桥", "港", "浦", "塘", "溪", "泾", "湾", "庄", "集", "亭", "山", "岗",
    "墩", "坝", "堰", "营", "圩", "埭", "河", "泽", "林", "园", "苑", "城", "门", "口",
    "坊", "里", "阳", "田", "丰", "安", "宁", "兴", "华", "盛", "新", "东", "西", "南",
    "北", "荡", "渡", "洲", "渚", "滩", "峰", "岭", "湄", "汀", "巷", "埠", "庙", "寺"};
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜",
    "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭",
    "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟",
    "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎",
    "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "莫", "孔", "汤"};
static const char *const given[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "萍", "红",
    "建", "国", "文", "辉", "力", "斌", "波", "宁", "海", "燕", "鹏", "飞", "亮", "琴",
    "云", "峰", "雪", "梅", "婷", "晨", "宇", "浩", "凯", "欣", "悦", "佳", "俊", "志",
    "新", "春", "东", "晓", "丹", "蕾", "琳", "倩", "颖", "博", "鑫", "林", "坤", "荣",
    "德", "福", "庆", "卫", "兵", "民", "忠", "永", "金", "健", "露", "瑶", "怡", "彤"};
static const char *const village_suffix[] = {"家", "庄", "巷", "桥", "埭", "圩", "墩", "舍", "宅", "湾"};
static const char *const road_prefix[] = {
    "人民", "建设", "解放", "中山", "长江", "黄河", "和平", "幸福", "文化", "新华", "东风",
    "青年", "朝阳", "迎宾", "友谊", "光明", "胜利", "团结", "工业", "复兴", "振兴", "富民",
    "育才", "学府", "金山", "银杏", "梧桐", "香樟", "丹凤", "锦绣", "开发", "科技", "创业",
    "滨河", "沿江", "环城", "站前", "府前", "体育", "花园", "健康", "新民", "民主", "公园",
    "南京", "镇江", "常州", "扬州", "太湖", "运河", "丹阳", "云阳", "齐梁", "凤凰"};
static const char *const compound_suffix[] = {
    "花园", "小区", "新村", "家园", "苑", "公寓", "华庭", "名都", "嘉园", "雅苑", "山庄", "府"};

void sy_name_stem(sy_rng *r, char *out, size_t cap)
{
    int a = sy_rng_int(r, 0, COUNT(stem_first) - 1);
    int b;
    do
        b = sy_rng_int(r, 0, COUNT(stem_second) - 1);
    while (!strcmp(stem_first[a], stem_second[b]));
    snprintf(out, cap, "%s%s", stem_first[a], stem_second[b]);
}

const char *sy_name_surname(sy_rng *r)
{
    /* The first 20 surnames cover about half of the population. */
    if (sy_rng_chance(r, 0.5))
        return surnames[sy_rng_int(r, 0, 19)];
    return surnames[sy_rng_int(r, 0, COUNT(surnames) - 1)];
}

void sy_name_person(sy_rng *r, char *out, size_t cap)
{
    const char *s = sy_name_surname(r);
    const char *g1 = given[sy_rng_int(r, 0, COUNT(given) - 1)];
    if (sy_rng_chance(r, 0.3))
        snprintf(out, cap, "%s%s", s, g1);
    else
        snprintf(out, cap, "%s%s%s", s, g1, given[sy_rng_int(r, 0, COUNT(given) - 1)]);
}

void sy_name_village_stem(sy_rng *r, char *out, size_t cap)
{
    if (sy_rng_chance(r, 0.45))
        snprintf(out, cap, "%s%s", sy_name_surname(r),
                 village_suffix[sy_rng_int(r, 0, COUNT(village_suffix) - 1)]);
    else
        sy_name_stem(r, out, cap);
}

void sy_name_hamlet(sy_rng *r, char *out, size_t cap)
{
    static const char *const tail[] = {"", "", "头", "里", "上", "下"};
    snprintf(out, cap, "%s%s%s", sy_name_surname(r),
             village_suffix[sy_rng_int(r, 0, COUNT(village_suffix) - 1)],
             tail[sy_rng_int(r, 0, COUNT(tail) - 1)]);
}

void sy_name_road(sy_rng *r, const char *road_class, char *out, size_t cap)
{
    const char *pre = road_prefix[sy_rng_int(r, 0, COUNT(road_prefix) - 1)];
    char stem[SY_NAME_CAP];
    if (sy_rng_chance(r, 0.35)) {
        sy_name_stem(r, stem, sizeof stem);
        pre = stem;
    }
    if (!strcmp(road_class, "motorway")) {
        static const char *const m[] = {"沪宁", "宁杭", "沿江", "京沪", "扬溧", "常泰", "锡宜", "苏锡常"};
        snprintf(out, cap, "%s高速", m[sy_rng_int(r, 0, COUNT(m) - 1)]);
    } else if (!strcmp(road_class, "trunk")) {
        static const int g[] = {104, 204, 205, 312, 233, 346, 328, 235};
        snprintf(out, cap, "%d国道", g[sy_rng_int(r, 0, COUNT(g) - 1)]);
    } else if (!strcmp(road_class, "primary")) {
        snprintf(out, cap, "%s大道", pre);
    } else if (!strcmp(road_class, "secondary")) {
        snprintf(out, cap, "%s%s", pre, sy_rng_chance(r, 0.3) ? "大街" : "路");
    } else if (!strcmp(road_class, "tertiary")) {
        snprintf(out, cap, "%s路", pre);
    } else if (!strcmp(road_class, "residential")) {
        static const char *const s[] = {"路", "街", "巷", "弄"};
        snprintf(out, cap, "%s%s", pre, s[sy_rng_int(r, 0, COUNT(s) - 1)]);
    } else if (!strcmp(road_class, "unclassified")) {
        if (sy_rng_chance(r, 0.5))
            snprintf(out, cap, "%s线", pre);
        else
            out[0] = '\0';
    } else {
        out[0] = '\0';
    }
}

void sy_name_water(sy_rng *r, const char *kind, char *out, size_t cap)
{
    char stem[SY_NAME_CAP];
    sy_name_stem(r, stem, sizeof stem);
    if (!strcmp(kind, "river")) {
        snprintf(out, cap, "%s%s", stem, sy_rng_chance(r, 0.2) ? "江" : "河");
    } else if (!strcmp(kind, "canal")) {
        static const char *const s[] = {"运河", "塘", "浦", "港", "漕河"};
        snprintf(out, cap, "%s%s", stem, s[sy_rng_int(r, 0, COUNT(s) - 1)]);
    } else if (!strcmp(kind, "stream")) {
        static const char *const s[] = {"溪", "浜", "泾", "沟"};
        snprintf(out, cap, "%s%s", stem, s[sy_rng_int(r, 0, COUNT(s) - 1)]);
    } else if (!strcmp(kind, "drain")) {
        if (sy_rng_chance(r, 0.4))
            snprintf(out, cap, "%s排涝沟", stem);
        else
            out[0] = '\0';
    } else if (!strcmp(kind, "lake")) {
        snprintf(out, cap, "%s%s", stem, sy_rng_chance(r, 0.3) ? "荡" : "湖");
    } else {
        if (sy_rng_chance(r, 0.5))
            snprintf(out, cap, "%s塘", stem);
        else
            out[0] = '\0';
    }
}

void sy_name_compound(sy_rng *r, char *out, size_t cap)
{
    char stem[SY_NAME_CAP];
    sy_name_stem(r, stem, sizeof stem);
    snprintf(out, cap, "%s%s", stem, compound_suffix[sy_rng_int(r, 0, COUNT(compound_suffix) - 1)]);
}

void sy_name_cn_number(int n, char *out, size_t cap)
{
    static const char *const d[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n <= 0 || n > 99) {
        snprintf(out, cap, "%d", n);
    } else if (n < 10) {
        snprintf(out, cap, "%s", d[n]);
    } else if (n < 20) {
        snprintf(out, cap, "十%s", n % 10 ? d[n % 10] : "");
    } else {
        snprintf(out, cap, "%s十%s", d[n / 10], n % 10 ? d[n % 10] : "");
    }
}
