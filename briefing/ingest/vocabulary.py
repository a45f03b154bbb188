"""The words of Chinese news pages that are not the article: labels, chrome, spam.

Patterns are written for Simplified Chinese with half-width punctuation: pages are
converted to Simplified before they are read (text.repair_script) and matched
folded (text.Folded), so 來源：, 来源: and 来源： are one label. Each list says
what a word is (a label of a date, a tool bar's prompt, gambling spam), never
which site it was seen on.
"""

from __future__ import annotations

import re

from briefing.ingest.text import Folded, fold

# --- metadata labels --------------------------------------------------------------------------

DATE_LABELS = (
    "发布时间|发布日期|发表时间|发表日期|发表于|发布于|发稿时间|刊发时间|刊发日期|见报日期|"
    "出版日期|上传时间|上传日期|录入时间|更新时间|更新日期|修改时间|成文日期|印发日期|"
    "生成日期|时间|日期|发布|发表"
)
SOURCE_LABELS = (
    "信息来源|新闻来源|文章来源|本文来源|稿件来源|内容来源|来源|稿源|出处|供稿单位|供稿|"
    "转自|转载自|转载于|来自|发布机构|发布单位|发文机关"
)
# People who wrote the article: they are its authors.
WRITER_ROLES = (
    "本报记者|本台记者|本刊记者|本网记者|首席记者|特约记者|见习记者|全媒体记者|融媒体记者|"
    "记者|通讯员|特约通讯员|作者|撰文|撰稿人|撰稿|采写|采访|文字|文/|文|实习生|整理"
)
# People who edited, checked or produced it: never authors.
EDITOR_ROLES = (
    "责任编辑|值班编辑|网络编辑|新媒体编辑|编辑|责编|主编|总编|编审|审核|审校|审签|审定|终审|"
    "初审|复审|二审|三审|校对|校审|监制|总监制|出品人|出品|统筹|策划|排版|美编|设计|制作|"
    "签发|发布者|发布人|录入|上传|编发|编校|值班|来源编辑"
)
# People who made the pictures, video or sound: kept as photographers where named.
PICTURE_ROLES = "本版摄影|本报摄影|摄影记者|图片编辑|摄影|摄像|图片|图文|图|摄|视频|剪辑|配音|后期|航拍|海报|主持人|主播|播音"
COUNTER_LABELS = (
    "浏览次数|浏览量|浏览|点击数|点击量|点击率|点击|阅读数|阅读量|阅读|访问量|访问|人气|热度|"
    "评论数|评论|字号|字体|分享|收藏|点赞"
)
OTHER_LABELS = (
    "索引号|主题分类|主题词|发文字号|文号|有效性|公开方式|公开范围|公开时限|信息类别|分类|"
    "所属栏目|栏目|频道|标签|关键词|关键字|类别|版次|版面|版名|期号|地区|专题|责任单位"
)

_ALL_LABELS = "|".join(
    (
        DATE_LABELS,
        SOURCE_LABELS,
        WRITER_ROLES,
        EDITOR_ROLES,
        PICTURE_ROLES,
        COUNTER_LABELS,
        OTHER_LABELS,
    )
)
# "来源：", "发布时间 :", "编辑｜", "浏览次数【" ... a label and its separator.
LABEL = Folded(rf"(?<![\u4e00-\u9fff])(?:{_ALL_LABELS})\s*[:|｜【\[]")
LABEL_AT_START = Folded(rf"^\s*[·•●▪◆■\-*]?\s*(?:{_ALL_LABELS})\s*[:|｜]")
SOURCE_LABEL = Folded(rf"(?:{SOURCE_LABELS})\s*[:|｜]\s*")
# Where the value of one label ends and the next label starts, on a line that holds several.
NEXT_LABEL = Folded(rf"\s*[|｜]\s*|\s+(?=(?:{_ALL_LABELS})\s*[:|｜])|(?=(?:{_ALL_LABELS})\s*:)")

# --- page chrome --------------------------------------------------------------------------------

# Words that, on a short line, make it the page's machinery rather than the article:
# navigation, tool bars, share buttons, prompts to follow an account, comment boxes.
CHROME_WORDS = Folded(
    r"(首页|主页|您的位置|您所在的位置|当前位置|所在位置|网站地图|返回\S{0,4}|回到顶部|上一期|下一期|往期\S{0,2}|"
    r"打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|加入收藏|收藏本页|设为首页|收藏|"
    r"字号|字体|默认|[大中小]\s*[大中小]\s*[大中小]|分享到|分享至|一键分享|分享|转发|复制链接|"
    r"点赞|在看|赞赏|举报|纠错|我要纠错|扫一扫|扫码|二维码|手机看|手机版|手机阅读|"
    r"打开APP|打开App|下载APP|下载客户端|客户端|展开全文|阅读全文|查看全文|查看原文|阅读原文|"
    r"点击查看|继续阅读|上一篇|下一篇|上一条|下一条|上一页|下一页|上一版|下一版|版面导航|"
    r"辅助浏览|无障碍|适老化|关怀版|长者模式|白底黑字|黑底白字|读屏|指读|连读|大字幕|放大|缩小|"
    r"重置|退出服务|声音|语速|配色|光标|点击蓝字|蓝字|关注我们|关注公众号|关注|星标|置顶|"
    r"长按识别|长按二维码|识别二维码|往期推荐|往期回顾|往期精彩|精彩推荐|推荐阅读|相关阅读|相关新闻|"
    r"相关文章|相关推荐|相关链接|猜你喜欢|热门推荐|热门文章|热点新闻|延伸阅读|更多精彩|更多新闻|"
    r"网友评论|发表评论|我要评论|评\s*论|留言|登录|注册|回复|只看该作者|楼主|沙发|引用|"
    r"微信公众号|公众号|官方微博|微博|微信|QQ空间|朋友圈|豆瓣|原创|视频|播放|来自.{0,12}客户端|"
    r"免责声明|版权声明|版权所有|联系我们|关于我们|广告服务|网站简介|投稿|意见反馈|帮助中心|"
    r"违法和不良信息举报|举报电话|隐私政策|用户协议|本文链接|本文地址|原文链接|原文地址|"
    r"小时前|分钟前|天前|昨天|刚刚|浏览|阅读|点击|人气|热度)",
    re.IGNORECASE,
)
# Statements that belong to the site, not the article, even when written as sentences.
FOOTER_WORDS = Folded(
    r"(版权所有|版权归.{0,12}所有|版权声明|免责声明|郑重声明|ICP\s*备|ICP证|公网安备|"
    r"All rights reserved|Copyright|©|转载请注明|转载须注明|转载时须|转载.{0,8}请.{0,6}(注明|联系)|"
    r"未经.{0,10}(许可|授权|同意).{0,12}(转载|使用|复制|镜像)|不得转载|禁止转载|谢绝转载|"
    r"如有侵权|如涉及侵权|侵权.{0,6}(联系|删除)|仅代表作者.{0,4}观点|不代表本(站|网|平台|号)|"
    r"本站.{0,6}(文章|内容|信息).{0,10}(来源于|来自)网络|本网站?所刊登|本(站|网)不承担|"
    r"联系电话|联系邮箱|投稿邮箱|举报邮箱|邮编|技术支持|主办单位|承办单位|主办:|承办:|"
    r"网站标识码|ICP许可|增值电信|互联网新闻信息服务许可|"
    r"本文由.{0,16}(作者|用户|创作者)(撰写|发布|上传)|入驻.{0,10}(号|平台)的|仅代表作者本人|平台仅提供信息存储)",
    re.IGNORECASE,
)
# Where the page has moved on from the article: lists of other stories, comments, footer.
LIST_HEADING = Folded(
    r"^[【\[〖]?\s*(相关推荐|相关阅读|相关新闻|相关文章|相关链接|相关报道|延伸阅读|推荐阅读|往期推荐|"
    r"往期回顾|往期精彩|精彩推荐|热点\S{0,4}|热门\S{0,4}|猜你喜欢|更多\S{0,6}|最新\S{0,4}|"
    r"排行\S{0,4}|今日推荐|图片新闻|视频推荐|微信公众号|网友评论|发表评论|我要评论|评论区|"
    r"全部评论|最新评论|热门评论|留言板|精彩评论|你可能(还)?(喜欢|感兴趣)|为你推荐|大家都在看|"
    r"看了又看|编辑推荐|专题推荐|扫码关注|关注我们)\s*[】\]〗]?\s*[:>»]?\s*$"
)
FOOTER_START = Folded(
    r"^(【?\s*(版权|免责|郑重|特别)(及免责)?声明|版权所有|copyright|©|本文地址|原文地址|原文链接|"
    r"留言与评论|发表评论|网友评论|我要评论|验证码|关于我们|关于.{2,12}网$|联系我们|"
    r"返回顶部|上一篇|下一篇|打印本页|关闭窗口|【?\s*关闭|【?\s*打印|【?\s*纠错)",
    re.IGNORECASE,
)
# A line that starts by saying it is a recommendation: "相关推荐：秋季养生喝什么茶好？……"
LIST_LEAD = Folded(
    r"^[【\[]?\s*(相关推荐|相关阅读|相关新闻|延伸阅读|推荐阅读|猜你喜欢|热门推荐|往期回顾)\s*[】\]]?\s*:"
)
END_MARK = Folded(r"\s*[(【\[]\s*(完|全文完|终)\s*[)】\]]\s*$")
NAV_MARKERS = Folded(r"(您的位置|您所在的位置|当前位置|所在位置|首页\s*[>›»/→]|[>›»→]\s*正文)")
NAV_SEPARATOR = Folded(r"(?<![<\w/])\s*[>›»→]\s*")
SITE_SUFFIX = Folded(
    r"(网|网站|在线|资讯|新闻|快讯|日报|晚报|早报|时报|晨报|商报|周刊|周报|频道|门户|电视台|广播电视台|"
    r"融媒体中心|融媒|客户端|APP|政府|人民政府|新闻中心|新闻网|官网|数字报|数字报刊|电子版|电子报|"
    r"官方微信|官方微博|公众号|官方账号|官方号|微信号|服务号|订阅号|"
    r"\.com|\.cn|\.net|\.org)$"
    # short names only: an outlet (晋南新报), an official account (龙泉发布), an
    # organization's own site (陇中师范学院外国语学院, 上党新材料产业园)
    r"|^[\u4e00-\u9fff]{2,6}报$|^[\u4e00-\u9fff]{2,4}发布$"
    r"|^[\u4e00-\u9fff]{2,14}(大学|学院|学校|中学|小学|医院|研究院|研究所|集团|公司|产业园|园区|管委会|"
    r"管理委员会|协会|学会|基金会|博物馆|图书馆|委员会|局|厅|办公室)$",
    re.IGNORECASE,
)
# (A single dash between words joins them: 中国—东盟.)
SEPARATORS = Folded(r"\s*(?:[|｜_]|\s[-—–]+\s|——|--|(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff]))\s*")
URL = Folded(
    r"(https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|gov|edu|cc|info|top)(?:\.cn)?\b\S*)",
    re.IGNORECASE,
)
COLUMN_TAG = Folded(r"^[【\[〖]([^】\]〗]{2,20})[】\]〗]\s*")
ORIGINAL_TITLE = Folded(r"^\s*[(（]?\s*原(标)?题\s*[:|｜]\s*(.+?)\s*[)）]?\s*$")

# --- content-farm spam ----------------------------------------------------------------------------

# Gambling, lottery, pornography and the come-ons around them: content farms glue
# them onto titles and between paragraphs to catch searches.
SPAM_WORDS = Folded(
    r"(时时彩|重庆时时彩|六合彩|香港六合彩|北京赛车|北京PK10|PK10|PK拾|幸运飞艇|快三|快3|"
    r"11选5|十一选五|双色球预测|彩票(平台|网|官网|开户|注册|app|APP|开奖|预测)|开奖(结果|直播|号码)|"
    r"购彩|彩金|送彩金|"
    r"百家乐|龙虎斗|牛牛|炸金花|德州扑克|老虎机|电子游艺|捕鱼(游戏|达人)|棋牌(游戏|平台|app|APP)?|"
    r"娱乐城|娱乐场|真人视讯|真人娱乐|博彩|菠菜|赌场|赌博网|网赌|体育投注|足球投注|投注平台|"
    r"盘口|赔率|葡京|新葡京|威尼斯人|金沙(娱乐|城|国际|官网)|太阳城|皇冠(体育|平台|网址|娱乐)|"
    r"银河(娱乐|国际)|永利(娱乐|皇宫)|美高梅|澳门(赌场|娱乐|彩票|六合|网投|新葡京)|"
    r"注册(就)?送|开户送|首存|充值送|存款送|返水|日赚|稳赚|包赢|必中|内幕|计划群|"
    r"色情|成人(视频|电影|网站|影院)|黄色(网站|视频|电影)|无码|有码|AV(女优|在线)|女优|约炮|"
    r"裸聊|一夜情|援交|少妇|福利(视频|影院|姬)|午夜(影院|福利)|偷拍|"
    r"代孕|办证|办假证|代开发票|刷单|私服|外挂|黑客接单)",
    re.IGNORECASE,
)
# Words that turn a mention of gambling into an advertisement for it.
SPAM_COME_ONS = Folded(
    r"(注册|开户|下载|官网|网址|平台|入口|登录|充值|优惠|送\d|免费送|加微|加V|QQ群|微信群|"
    r"热线|客服|app|APP|手机版|在线|\d{3,}\.com)",
    re.IGNORECASE,
)


def spam_hits(text: str) -> list[str]:
    """The spam words in a text."""
    return [m[0] for m in SPAM_WORDS.finditer(text)]


# What a WeChat page or an app prints around the article: prompts to follow, star,
# scan, share; repost cards; hashtags.
PROMPTS = Folded(
    r"(点击(上方|下方|蓝字|关注|阅读原文|图片|链接|播放)|设为星标|加星标|长按(识别|二维码|关注|图片)|"
    r"扫(描|一扫)?(二维码|码)(?!可|即可|就可|就能|查|溯源|支付|购|点餐)|关注我们|"  # not "扫码可查"
    r"浏览器自带分享|关注公众号|以下文章来源于|本文转载自|预览时标签不可点|"
    r"微信扫一扫|分享\s*收藏\s*点赞\s*在看|喜欢此内容的人还喜欢|阅读原文|打开APP|展开全文|"
    r"继续往下阅读|请继续阅读|观看更多|更多精彩视频|打开.{0,10}(APP|App|app|客户端)|"
    r"点击展开|展开剩余|会员专享|开通会员|登录后(即可)?(阅读|查看)|付费阅读|订阅后(即可)?阅读|解锁全文|"
    r"^#\S{2,12}(\s+\d+)?(\s+#\S{2,12}(\s+\d+)?)*$)",
    re.IGNORECASE,
)


def is_site_name(text: str) -> bool:
    """A site's, outlet's or account's name: short, unpunctuated, with a name's ending."""
    return (
        len(text) <= 30
        and not re.search(r"[,。;!?、]", fold(text))
        and bool(SITE_SUFFIX.search(text))
    ) or looks_like_url(text)


def looks_like_url(text: str) -> bool:
    return bool(URL.fullmatch(text.strip()))


# What a site's banner adds to its outlet's name: "江城日报数字报" is 江城日报.
EDITION_SUFFIX = Folded(
    r"(数字报刊平台|数字报刊|数字报|电子版|电子报|手机版|官方网站|官网|客户端|官方微信|官方微博|"
    r"微信公众号|公众号|微博)$"
)


# Chinese surnames, the common single ones and the compound ones: a byline's names
# start with one ("集锦" after 视频 is not a person, 龙秀英 is).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝"
    "包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬"
    "师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚"
    "鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋"
    "相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银"
    "亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由铁蓬凤"
)
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "呼延",
        "百里",
        "申屠",
        "澹台",
        "太史",
        "闻人",
        "赫连",
        "钟离",
        "宗政",
        "濮阳",
        "淳于",
        "单于",
        "拓跋",
    ]
)
