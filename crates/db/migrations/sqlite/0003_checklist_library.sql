-- The built-in checklist library (检查表库): org_id NULL, builtin, visible to everyone with
-- InspectionView and maintained by supervisors of the root bureau. Item texts and their legal
-- basis follow ../shared/reference/domain-rules.md §3.5, §4.2–§4.5 and §6.4; bases that file
-- marks UNCONFIRMED say （依据待核实）. Items are found by the checklist's name, not by id, so
-- identity sequences stay untouched on PostgreSQL.

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '消防安全检查表', '消防安全', '消防安全专项检查（冬春火灾防控、管好“一扇门”配好“一根绳”等专项行动）使用，前四项为本系统重点排查的突出风险。', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '办公楼、宿舍、值班室、仓房附属用房未违规使用易燃可燃材料装修装饰，彩钢板等夹芯材料符合防火要求', '违规使用易燃可燃材料装修装饰', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '消防车通道、疏散通道、安全出口畅通，未堵塞、占用、锁闭；疏散指示标志和应急照明完好', '消防通道不畅通', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '未违规存放易燃易爆危险品；油料、气瓶、储粮药剂等按规定专库存放、专人管理、领用登记', '违规存放易燃易爆危险品', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '电动自行车未在楼道、安全出口、疏散通道及室内违规停放、充电；设置集中停放充电场所并有防火分隔和定时断电措施', '电动自行车违规停放充电', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '灭火器、室内外消火栓、火灾自动报警等消防设施器材配置齐全、标识清晰、在有效期内且完好有效，定期检测维护', '消防设施器材', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '老旧、过期消防设施器材已按计划更新改造，更换记录完整', '消防设施器材', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '按规定开展防火巡查、每月防火检查，检查记录完整，检查人员和主管人员签名', '防火检查巡查', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十五条、第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '用火用电无违章：动火作业经审批并有专人监护，库区和仓房内无私拉乱接电线、无违规使用大功率电器', '用火用电', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第二十六条', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 9, '消防安全责任人、管理人明确，专（兼）职消防队（微型消防站）建立，定期开展消防演练和消防安全培训', '消防安全管理', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第四条；消防演练频次（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '消防安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '进出仓作业安全检查表', '进出仓作业', '粮食入仓、出仓作业前和作业中的安全检查，重点防范粮堆埋人、机械伤害和粉尘危害。', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）；《粮库安全生产守则》', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '外包作业人员经审批并建立档案，签订安全生产管理协议，查验身体健康合格证，已购买工伤保险', '作业准备', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）1', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '按仓型、运输方式、品种、数量制定粮食接收（出仓）作业方案', '作业准备', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）2', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '作业前开展安全教育培训和安全交底并有记录、考核，作业人员签署安全交底或安全生产作业承诺书', '作业准备', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）3', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '明确作业现场负责人和监护人及其职责，现场负责人监督劳动防护用品佩戴并及时制止违章', '现场管理', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）5、一（二）4', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '作业前检查仓顶漏水、墙壁地面裂缝、地面沉降、门窗和扶梯；输送设备经检查并空载运行正常', '作业准备', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）4、一（一）7', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '粮仓设有设计说明标牌（装粮高度、仓容等），未超限装粮；首次装粮前已做压仓实验', '仓房安全', '《粮库安全生产守则》第一章 粮食进出仓；《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）6', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '卸粮作业区设置警戒线和警示标志，无关人员和车辆不得进入，夜间作业人员穿反光服', '现场管理', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（二）1', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '作业时开启仓窗、运行排气扇控制粉尘', '现场管理', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（二）2', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 9, '查粮门关闭上锁，出入仓作业期间仓内无人员；确需进仓处理时先停机关闸、不单人作业、系安全绳并设系留装置', '防埋人', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（二）5；《粮库安全生产守则》第一章 粮食进出仓', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 10, '设备发生故障时立即停机处置，排除故障后方可恢复作业', '设备安全', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（二）3', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 11, '已与医疗、消防等建立应急救援协同机制，现场配备应急救援器材', '应急准备', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）8', FALSE, TRUE FROM checklist WHERE name = '进出仓作业安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '有限空间作业安全检查表', '有限空间作业', '粮仓、筒仓、地下通廊、地坑等有限空间作业检查。前两项为重大事故隐患判定条款。', '《工贸企业有限空间作业安全规定》（应急管理部令第13号）；《有限空间安全作业五条规定》（原国家安全监管总局令第69号）；应急管理部令第10号《工贸企业重大事故隐患判定标准》', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '已对有限空间进行辨识、建立安全管理台账，并设置明显的安全警示标志', '重大隐患判定', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第十三条（依据待核实）', TRUE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '落实有限空间作业审批，执行“先通风、再检测、后作业”，作业现场设置监护人员', '重大隐患判定', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第十三条（依据待核实）', TRUE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '有限空间管理台账载明数量、位置和危险因素，并及时更新', '管理台账', '《工贸企业有限空间作业安全规定》（应急管理部令第13号）第六条', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '作业审批制度明确审批人、监护人员、作业人员职责，未经审批严禁擅自进入', '作业审批', '《工贸企业有限空间作业安全规定》（应急管理部令第13号）第四条；《有限空间安全作业五条规定》（原国家安全监管总局令第69号）第一条（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '监护人员能正确使用气体检测、通风、呼吸防护和应急救援装备，作业期间不离开现场', '监护', '《工贸企业有限空间作业安全规定》（应急管理部令第13号）第五条', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '进入前30分钟内检测氧气（19.5%～21%）、磷化氢、二氧化碳等气体，合格后方可作业；检测不合格严禁作业', '通风检测', '《有限空间安全作业五条规定》（原国家安全监管总局令第69号）第二条（依据待核实）；参照GB 30871-2022《危险化学品企业特殊作业安全规范》受限空间作业', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '作业期间持续通风并连续监测气体浓度，定时记录检测结果', '通风检测', '参照GB 30871-2022《危险化学品企业特殊作业安全规范》受限空间作业', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '配备个人防中毒窒息等防护装备（正压式空气呼吸器、安全带、安全绳等），设置安全警示标识', '防护装备', '《有限空间安全作业五条规定》（原国家安全监管总局令第69号）第三条（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 9, '作业人员经有限空间作业安全培训合格后上岗', '培训', '《有限空间安全作业五条规定》（原国家安全监管总局令第69号）第四条（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 10, '制定应急措施，现场配备应急装备，严禁盲目施救', '应急救援', '《有限空间安全作业五条规定》（原国家安全监管总局令第69号）第五条（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '有限空间作业安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '粮食熏蒸及散气作业安全检查表', '熏蒸/散气作业', '磷化氢熏蒸施药、散气及散气后入仓的安全检查。', '《粮油安全储存守则》；磷化氢环流熏蒸技术规程（依据待核实）', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '严格执行熏蒸作业审批制度，熏蒸作业方案经粮库负责人批准，未擅自开展熏蒸作业', '作业审批', '《粮油安全储存守则》', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '熏蒸方案载明仓房密闭性能、储粮情况、虫情、施药方案、安全防护措施、人员分工和应急处置', '作业方案', '《粮油安全储存守则》；方案内容参照地方规范', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '熏蒸作业已按规定向粮食行政管理部门备案', '作业审批', '各省熏蒸作业备案规定（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '实施熏蒸及散气操作2人以上，并配备至少1名负责安全、防护的人员；作业负责人具备储粮害虫防治技能并经磷化氢培训', '作业人员', '磷化氢环流熏蒸技术规程10.1.1～10.1.3（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '配备磷化氢检测仪和报警器并检查电池、有效期；按规定点位检测浓度（房式仓每廒间不少于5点）', '气体检测', '磷化氢环流熏蒸技术规程10.4、10.9（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '施药人员佩戴正压式空气呼吸器或合格的防毒面具，分药、施药、检查、散气、残渣处理严禁一人单独操作', '个体防护', '储粮熏蒸安全操作要求（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '熏蒸仓房周围设置警戒线和警示标志，施药后24小时专人值班；夜间或大风大雨时不进行熏蒸和散气', '现场警戒', '储粮熏蒸安全操作要求（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '散气后检测磷化氢浓度低于0.3mg/m³方可进仓', '散气入仓', 'GBZ 2.1-2019（磷化氢最高容许浓度0.3mg/m³）；散气后入仓判定标准（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 9, '熏蒸药剂专库存放、双人双锁、领用登记，残渣按规定收集处理', '药剂管理', 'LS 1212 储粮化学药剂管理和使用规范（依据待核实）', FALSE, TRUE FROM checklist WHERE name = '粮食熏蒸及散气作业安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '外包作业安全检查表', '外包作业', '进出仓装卸、维修改造等外包作业的安全管理检查。第三、七项为重大事故隐患判定条款。', '《中华人民共和国安全生产法》（2021年修正）第四十九条；《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）；应急管理部令第10号《工贸企业重大事故隐患判定标准》', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '外包单位具备安全生产条件或者相应资质，未将作业发包给不具备条件的单位或个人', '发包管理', '《中华人民共和国安全生产法》（2021年修正）第四十九条', FALSE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '与外包单位签订专门的安全生产管理协议，或在承包合同中约定各自的安全生产管理职责', '发包管理', '《中华人民共和国安全生产法》（2021年修正）第四十九条', FALSE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '对承包单位的安全生产工作统一协调、管理，并定期进行安全检查，督促整改', '重大隐患判定', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（一）项；《中华人民共和国安全生产法》（2021年修正）第四十九条', TRUE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '外包作业人员经审批，外包单位和劳务人员档案齐全', '人员管理', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）1', FALSE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '查验外包人员身体健康合格证，外包人员已购买工伤保险（鼓励投保安全生产责任保险）', '人员管理', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）1', FALSE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '外包人员进场前接受安全教育培训和安全交底，签署安全交底或安全生产作业承诺书', '培训交底', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（一）3', FALSE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '外包特种作业人员经专门安全作业培训并取得相应资格上岗作业', '重大隐患判定', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（二）项', TRUE, TRUE FROM checklist WHERE name = '外包作业安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '外包作业现场有本单位人员监护，发现违章及时制止', '现场管理', '《粮食仓储企业安全生产作业指南》（国粮办应急〔2023〕120号）一（二）4', FALSE, TRUE FROM checklist WHERE name = '外包作业安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '防汛安全检查表', '防汛', '汛前和汛期检查库区、仓房防汛准备及应急值守。', '本系统防汛减灾工作要求；《生产安全事故应急预案管理办法》（应急管理部令第2号修正）', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '防汛工作责任人和值班人员明确，汛期执行领导带班、24小时值班和信息报告制度', '值班值守', '本系统防汛减灾和值班值守工作要求', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '制定防汛应急预案（现场处置方案），并按规定组织演练', '应急预案', '《生产安全事故应急预案管理办法》（应急管理部令第2号修正）第三十三条', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '仓房屋面、墙体、门窗无渗漏，天沟、落水管通畅，仓内粮食无雨水浸湿', '仓房防汛', '《粮库安全生产守则》第一章 粮食进出仓（仓房检查）', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '库区排水沟、排水井、排涝泵站完好畅通，低洼区域有挡水和抽排措施', '库区排水', '本系统防汛减灾工作要求', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '沙袋、挡水板、抽水泵、发电机、雨具等防汛物资储备充足，定期检查并登记', '防汛物资', '本系统防汛减灾工作要求', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '配电房、地下室、地坑等低洼处设有防水淹措施', '库区排水', '本系统防汛减灾工作要求', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '围墙、挡土墙、边坡及临时建（构）筑物稳固，无倒塌风险', '设施安全', '本系统防汛减灾工作要求', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '及时接收气象预警，暴雨、台风期间停止露天、高处和进出仓作业', '预警响应', '本系统防汛减灾工作要求', FALSE, TRUE FROM checklist WHERE name = '防汛安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '用电安全检查表', '用电安全', '库区配电、仓房用电、临时用电和防雷设施检查。', '参照GB 30871-2022《危险化学品企业特殊作业安全规范》临时用电作业；应急管理部令第10号《工贸企业重大事故隐患判定标准》', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '电工等特种作业人员经专门安全作业培训并取得相应资格上岗作业', '重大隐患判定', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（二）项', TRUE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '临时用电经审批，线路架设规范，作业结束及时拆除', '临时用电', '参照GB 30871-2022《危险化学品企业特殊作业安全规范》临时用电作业', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '配电箱（柜）完好、加锁，标识清楚，漏电保护器试验动作可靠', '配电设施', '', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '仓房内电气线路穿管保护，无私拉乱接、无裸露接头，人离断电', '仓房用电', '', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '工作塔、输送设备等粉尘场所的电气设备符合防爆要求', '防爆电气', '参照应急管理部令第10号《工贸企业重大事故隐患判定标准》粉尘爆炸专项条款', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 6, '仓房照明使用防尘或防爆灯具，仓内不使用移动式电气设备', '仓房用电', '', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 7, '防雷、接地装置完好，按期检测并有检测报告', '防雷接地', '', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 8, '用电设备定期检修维护，有检修记录', '设备维护', '', FALSE, TRUE FROM checklist WHERE name = '用电安全检查表';

INSERT INTO checklist (org_id, name, category, description, source, builtin, active, row_version, created_at, updated_at)
VALUES (NULL, '工贸企业重大事故隐患判定检查表（管理类、有限空间）', '重大事故隐患判定', '应急管理部令第10号的管理类和有限空间专项条款，任一项不符合即判定为重大事故隐患。粮食仓储企业是否属于该标准适用的工贸行业待核实；有限空间条款适用于存在有限空间作业的企业。', '应急管理部令第10号《工贸企业重大事故隐患判定标准》（2023年5月15日施行）', TRUE, TRUE, 1, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z');
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 1, '对承包单位、承租单位的安全生产工作统一协调、管理，并定期进行安全检查', '管理类', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（一）项', TRUE, TRUE FROM checklist WHERE name = '工贸企业重大事故隐患判定检查表（管理类、有限空间）';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 2, '特种作业人员按规定经专门安全作业培训并取得相应资格上岗作业', '管理类', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（二）项', TRUE, TRUE FROM checklist WHERE name = '工贸企业重大事故隐患判定检查表（管理类、有限空间）';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 3, '金属冶炼企业主要负责人、安全管理人员按规定经考核合格（仅适用于金属冶炼企业）', '管理类', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第三条第（三）项', TRUE, TRUE FROM checklist WHERE name = '工贸企业重大事故隐患判定检查表（管理类、有限空间）';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 4, '已对有限空间进行辨识、建立安全管理台账，并设置明显的安全警示标志', '有限空间', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第十三条（依据待核实）', TRUE, TRUE FROM checklist WHERE name = '工贸企业重大事故隐患判定检查表（管理类、有限空间）';
INSERT INTO checklist_item (checklist_id, position, content, category, basis, major_criterion, active)
SELECT id, 5, '落实有限空间作业审批，执行“先通风、再检测、后作业”，作业现场设置监护人员', '有限空间', '应急管理部令第10号《工贸企业重大事故隐患判定标准》第十三条（依据待核实）', TRUE, TRUE FROM checklist WHERE name = '工贸企业重大事故隐患判定检查表（管理类、有限空间）';
